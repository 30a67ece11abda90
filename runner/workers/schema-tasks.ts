import { compileSchema } from '../llm/json-schema.ts'

// The schema check of LLM answers, in workers of its own: a caller's `pattern` may backtrack for
// ever, the worker is then terminated, and its replacement loads only ajv (≈ 0.5 s), not the content stack.

// A worker's first check would pay for ajv's own start (its meta-schema compiled, its code generator
// cold): ~60 ms on a quiet machine, past the check's time limit on a starved one. The pool sends work
// only once this module has loaded, so the warm-up never counts against a caller's limit.
compileSchema({
  type: 'object',
  properties: { s: { type: 'string', pattern: '^a$', minLength: 1 }, n: { type: 'number', minimum: 0 }, e: { enum: ['x'] }, l: { type: 'array', items: { type: 'string' } } },
  required: ['s'],
  additionalProperties: false,
})({ s: 'a', n: 1, e: 'x', l: ['b'] })

export const TASKS = {
  /** null when `data` fits `schema`, else the mismatches */
  checkSchema: (schema: Record<string, unknown>, data: unknown) => compileSchema(schema)(data),
} as const

export type SchemaTasks = typeof TASKS
