import { z } from '@hono/zod-openapi'

/**
 * crawl4ai serialises its config objects as {type: "<Class>", params: {...}}: for a zod preprocess,
 * the params of such an object (the input itself otherwise), or an issue on `type` naming the class.
 */
export function unwrapTyped(input: unknown, typeName: string, ctx: z.RefinementCtx): unknown {
  if (!input || typeof input !== 'object' || !('type' in input)) return input
  const typed = z.object({ type: z.literal(typeName), params: z.unknown() }).strict().safeParse(input)
  if (!typed.success) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `must be "${typeName}" with a params object` })
    return z.NEVER
  }
  return typed.data.params ?? {}
}
