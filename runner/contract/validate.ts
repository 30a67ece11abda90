import type { z } from '@hono/zod-openapi'
import { InvalidFieldError } from './errors.ts'

/** Parses `input` or throws an InvalidFieldError naming the first field at fault (`browser_config.extra_args.0`). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw invalidFieldFrom(result.error, root)
}

export function invalidFieldFrom(error: z.ZodError, root?: string): InvalidFieldError {
  const issue = error.issues[0]
  if (!issue) return new InvalidFieldError(root ?? 'body', 'is not valid')
  const path = [...(root ? [root] : []), ...issue.path.map(String)]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?'
    return new InvalidFieldError([...path, key].join('.'), 'is not a known field')
  }
  const field = path.length > 0 ? path.join('.') : 'body'
  return new InvalidFieldError(field, issue.message)
}
