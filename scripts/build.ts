import { build, type BuildOptions } from 'esbuild'
import { copyFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// `npm run build`: the processes we run (the runner, the local edge, the local stack) as bundled
// JavaScript for plain `node`, so production runs no transpiler. Under tsx the runner's own process
// was 175 MB after 20 requests; the same code bundled and run by node is the figure in README's
// "Memory" section. Packages stay external (node_modules is installed beside dist/): playwright-core
// must be (it finds its own files and drivers at run time), and keeping them all out leaves
// lazy `import()`s of the heavy libraries lazy.

export const ROOT = fileURLToPath(new URL('../', import.meta.url))

/**
 * One line per entry: source (relative to the repository) → dist/<name>.mjs. `partOf` names the
 * process an extra entry belongs to: the runner's worker threads start from files of their own
 * (runner/workers/offload.ts finds them beside it when CRAWLFLEET_BUNDLED is defined).
 */
export const ENTRIES: readonly { readonly source: string; readonly name: string; readonly partOf?: string }[] = [
  { source: 'runner/main.ts', name: 'runner' },
  { source: 'runner/workers/worker-entry.mjs', name: 'worker-entry', partOf: 'runner' },
  { source: 'runner/workers/tasks.ts', name: 'worker-tasks', partOf: 'runner' },
  { source: 'runner/workers/schema-tasks.ts', name: 'worker-schema-tasks', partOf: 'runner' },
  { source: 'edge/local.ts', name: 'edge' },
  { source: 'scripts/local-stack.ts', name: 'local-stack' },
]

export const DIST = 'dist'

/** files an entry needs at run time that are not code: copied into dist/ by their file name */
const ASSETS: Readonly<Record<string, readonly string[]>> = { runner: ['runner/browser/niced-exec.sh'] }

/** Builds every entry, or those `only` names (the runner image builds `runner` alone: edge/ is not in its context). */
export async function buildAll(o: { outdir?: string; only?: readonly string[] } = {}): Promise<string[]> {
  const entries = o.only?.length ? ENTRIES.filter((e) => o.only!.includes(e.name) || o.only!.includes(e.partOf ?? '')) : ENTRIES
  if (entries.length === 0) throw new Error(`no entry named ${o.only!.join(', ')}; entries: ${ENTRIES.map((e) => e.name).join(', ')}`)
  const options: BuildOptions = {
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(entries.map((e) => [e.name, e.source])),
    outdir: o.outdir ?? DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // one copy of what the entries share, in chunks, rather than one per entry; the chunks sit beside
    // the entries, so a file's relative URLs (the worker entry's) mean the same wherever esbuild put its code
    splitting: true,
    chunkNames: '[name]-[hash]',
    define: { CRAWLFLEET_BUNDLED: 'true' },
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  }
  const result = await build(options)
  if (result.errors.length > 0) throw new Error(`build failed: ${result.errors.map((e) => e.text).join('; ')}`)
  // files the bundle finds beside itself, as the sources find them beside themselves (new URL(…, import.meta.url))
  for (const file of entries.flatMap((e) => ASSETS[e.name] ?? [])) {
    copyFileSync(join(ROOT, file), resolve(ROOT, options.outdir!, basename(file))) // the mode too: the script stays executable
  }
  return entries.filter((e) => !e.partOf).map((e) => `${options.outdir}/${e.name}.mjs`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildAll({ only: process.argv.slice(2) })
  process.stdout.write(`built ${built.join(', ')}\n`)
}
