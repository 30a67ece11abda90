import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { importCycles, readSources, type SourceFile } from './import-graph.ts'

// The structure README.md's architecture map describes, checked: no import circles, no import from
// a lower layer up to a higher one, the edge apart from the runner but for the shared contract, the
// environment read only by the two config modules, and files small enough to read.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const files = readSources(ROOT, ['runner', 'edge', 'infra'])

/** Layers of the runner, lowest first: a file may import its own layer and the ones below. */
const RUNNER_LAYERS: readonly (readonly string[])[] = [
  ['runner/contract'],
  ['runner/util'],
  ['runner/content', 'runner/llm'],
  ['runner/workers'],
  ['runner/resources'],
  ['runner/pool'],
  ['runner/browser'],
  ['runner/egress'],
  ['runner/session'],
  ['runner/pages'],
  ['runner/jobs'],
  ['runner/metrics'],
  ['runner/http'],
  ['runner/routes'],
  ['runner'], // runner.ts (wiring), config.ts, main.ts
]
const EDGE_LAYERS: readonly (readonly string[])[] = [
  ['runner/contract'],
  ['edge/core', 'edge/aws'],
  ['edge/routing', 'edge/discovery'],
  ['edge/middleware'],
  ['edge'],
]

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'))
function layerOf(path: string, layers: readonly (readonly string[])[]): number {
  // the deepest listed folder that holds the file: runner/contract/url-policy/x.ts is in runner/contract
  let best = -1
  let bestLength = -1
  layers.forEach((folders, i) => {
    for (const f of folders) {
      if ((folderOf(path) === f || folderOf(path).startsWith(`${f}/`)) && f.length > bestLength) [best, bestLength] = [i, f.length]
    }
  })
  return best
}

function upwardImports(scope: string, layers: readonly (readonly string[])[]): string[] {
  const found: string[] = []
  for (const f of files.filter((x) => x.path.startsWith(`${scope}/`))) {
    const from = layerOf(f.path, layers)
    for (const target of f.imports) {
      const to = layerOf(target, layers)
      if (to === -1 || from === -1 || to > from) found.push(`${f.path} → ${target}`)
    }
  }
  return found
}

describe('architecture', () => {
  it('has no import circle in runner/, edge/ or infra/', () => {
    expect(importCycles(files)).toEqual([])
  })

  it('has every runner folder in a layer, and no import from a lower layer up to a higher one', () => {
    expect(files.filter((f) => f.path.startsWith('runner/') && layerOf(f.path, RUNNER_LAYERS) === -1).map((f) => f.path)).toEqual([])
    expect(upwardImports('runner', RUNNER_LAYERS)).toEqual([])
  })

  it('keeps the edge to itself and runner/contract/, in layers', () => {
    expect(files.filter((f) => f.path.startsWith('edge/') && layerOf(f.path, EDGE_LAYERS) === -1).map((f) => f.path)).toEqual([])
    expect(upwardImports('edge', EDGE_LAYERS)).toEqual([])
  })

  it('keeps runner/contract/ free of anything but itself (the edge and infra import it)', () => {
    const leaks = files
      .filter((f) => f.path.startsWith('runner/contract/'))
      .flatMap((f) => f.imports.filter((i) => !i.startsWith('runner/contract/')).map((i) => `${f.path} → ${i}`))
    expect(leaks).toEqual([])
    expect(files.filter((f) => f.path.startsWith('runner/contract/') && /from 'playwright/.test(f.text)).map((f) => f.path)).toEqual([])
  })

  it('lets infra import only itself and runner/contract/', () => {
    const leaks = files
      .filter((f) => f.path.startsWith('infra/'))
      .flatMap((f) => f.imports.filter((i) => !i.startsWith('infra/') && !i.startsWith('runner/contract/')).map((i) => `${f.path} → ${i}`))
    expect(leaks).toEqual([])
  })

  it('reads the environment only in the config modules (entry points pass process.env in)', () => {
    // infra/lib/settings.ts reads only the CDK CLI's own CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION
    const CONFIG_MODULES = ['runner/config.ts', 'edge/config.ts', 'infra/lib/settings.ts']
    const readers = (f: SourceFile) => /process\.env\s*(\.|\[)|\benv\.[A-Z_]{3,}|\benv\[['"`]/.test(f.text)
    expect(files.filter((f) => readers(f) && !CONFIG_MODULES.includes(f.path)).map((f) => f.path)).toEqual([])
  })

  it('has no source file over 400 lines', () => {
    const long = files.map((f) => [f.path, f.text.split('\n').length] as const).filter(([, n]) => n > 400)
    expect(long).toEqual([])
  })
})
