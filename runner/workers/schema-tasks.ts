import { compileSchema } from '../llm/json-schema.ts'

// The schema check of LLM answers, in workers of its own: a caller's `pattern` may backtrack for
// ever, the worker is then terminated, and its replacement loads only ajv (≈ 0.5 s), not the content stack.
export const TASKS = {
  /** null when `data` fits `schema`, else the mismatches */
  checkSchema: (schema: Record<string, unknown>, data: unknown) => compileSchema(schema)(data),
} as const

export type SchemaTasks = typeof TASKS
