import { buildSync, type Metafile } from 'esbuild'
import { fileURLToPath } from 'node:url'

// The edge's Lambda bundle, built with the esbuild in node_modules (never Docker). ESM with code
// splitting: what a cold start imports is index.mjs and the chunks it imports statically; every
// lazy import (the MCP SDK, the AWS SDK clients, the job and dashboard code) is a chunk of its own,
// loaded on the first request that needs it.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const EDGE_ENTRY = `${REPO_ROOT}edge/lambda.ts`

/**
 * The Lambda bundle's validation: the shared schemas with zod's constructors only (edge/zod-lite.ts),
 * not @hono/zod-openapi's whole zod namespace and OpenAPI machinery: about 350 KB less to load.
 */
export const EDGE_BUNDLE_ALIAS: Readonly<Record<string, string>> = { '@hono/zod-openapi': `${REPO_ROOT}edge/zod-lite.ts` }
/**
 * Left to the Lambda runtime's own AWS SDK: the ECS client is the discovery fallback, loaded only when
 * Cloud Map fails; the clients every cold start needs are bundled, at the versions in package-lock.json.
 */
export const EDGE_BUNDLE_EXTERNAL: readonly string[] = ['@aws-sdk/client-ecs']
/** CommonJS dependencies (pino, the SDK) still call require() and read __dirname inside the ESM chunks */
export const EDGE_BUNDLE_BANNER = [
  "import { createRequire } from 'node:module'",
  "import { fileURLToPath } from 'node:url'",
  "import { dirname } from 'node:path'",
  'const require = createRequire(import.meta.url)',
  'const __filename = fileURLToPath(import.meta.url)',
  'const __dirname = dirname(__filename)',
].join(';')

export interface EdgeBundle {
  /** bytes of index.mjs and of the chunks it imports statically: what a cold start loads */
  readonly coldStartBytes: number
  /** bytes of every .mjs file */
  readonly totalBytes: number
  readonly metafile: Metafile
}

/** Writes index.mjs (handler `index.handler`), its chunks and their source maps into `outdir`. */
export function buildEdgeBundle(outdir: string, o: { entry?: string; alias?: Readonly<Record<string, string>>; external?: readonly string[] } = {}): EdgeBundle {
  const result = buildSync({
    entryPoints: { index: o.entry ?? EDGE_ENTRY },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    // no --enable-source-maps at run time: it made every cold start's import ~25 % slower (npm run
    // bench -- edge-cold-start); the maps ship beside the chunks to decode a stack trace by hand
    sourcemap: true,
    sourcesContent: false,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    alias: { ...(o.alias ?? EDGE_BUNDLE_ALIAS) },
    external: [...(o.external ?? EDGE_BUNDLE_EXTERNAL)],
    banner: { js: EDGE_BUNDLE_BANNER },
    metafile: true,
    logLevel: 'error',
  })
  return { ...bundleSizes(result.metafile), metafile: result.metafile }
}

/** What a cold start loads: the entry and, transitively, its static imports (dynamic ones wait for their first use). */
export function bundleSizes(meta: Metafile): { coldStartBytes: number; totalBytes: number } {
  const outputs = meta.outputs
  const js = Object.keys(outputs).filter((f) => f.endsWith('.mjs'))
  const entry = js.find((f) => outputs[f]!.entryPoint !== undefined)
  const seen = new Set<string>()
  const visit = (f: string) => {
    if (seen.has(f)) return
    seen.add(f)
    for (const i of outputs[f]!.imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path)
  }
  if (entry) visit(entry)
  const bytes = (fs: Iterable<string>) => [...fs].reduce((n, f) => n + outputs[f]!.bytes, 0)
  return { coldStartBytes: bytes(seen), totalBytes: bytes(js) }
}
