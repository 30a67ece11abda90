import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { z } from '../../../edge/zod-lite.ts'

// The edge-bundle proof of concept must offer every zod constructor the shared contract calls,
// or the light bundle would fail at import while the full one works.
const TYPE_ONLY = new Set(['infer', 'input', 'output', 'ZodTypeAny', 'RefinementCtx', 'ZodIssue', 'ZodObject', 'ZodRawShape'])

describe('edge/zod-lite.ts', () => {
  it('has every z.<name> that runner/contract uses at run time', async () => {
    const dir = new URL('../../../runner/contract/', import.meta.url)
    const used = new Set<string>()
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.ts'))) {
      const text = await readFile(new URL(f, dir), 'utf8')
      // z.name( or z.name. or z.name, in value position; `z.infer<` and other types excluded
      for (const m of text.matchAll(/\bz\.(\w+)\b(?!\s*<)/g)) if (!TYPE_ONLY.has(m[1])) used.add(m[1])
    }
    expect([...used].filter((name) => !(name in z))).toEqual([])
  })

  it('parses like zod and ignores .openapi()', () => {
    const schema = z.object({ url: z.string().min(1).openapi({ example: 'https://example.com/' } as never) as never }).strict()
    expect(schema.safeParse({ url: 'x' }).success).toBe(true)
    expect(schema.safeParse({ url: '' }).success).toBe(false)
  })
})
