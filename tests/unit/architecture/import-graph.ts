import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

// The repository's own import graph, read from the sources as text: enough for our code, which uses
// only static `import … from './x.ts'` and `await import('./x.ts')` with relative, literal paths.

export interface SourceFile {
  /** repository-relative path with forward slashes, e.g. runner/pool/pool.ts */
  readonly path: string
  readonly text: string
  /** repository-relative paths this file imports (relative imports only) */
  readonly imports: readonly string[]
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g

export function readSources(root: string, folders: readonly string[]): SourceFile[] {
  const files: SourceFile[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = `${dir}/${name}`
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel)
      else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) files.push(parse(root, rel))
    }
  }
  for (const f of folders) walk(f)
  return files
}

function parse(root: string, rel: string): SourceFile {
  const text = readFileSync(path.join(root, rel), 'utf8')
  const imports = [...text.matchAll(IMPORT)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1] ?? m[2]!)))
  return { path: rel, text, imports }
}

/** Every import cycle, as the list of files on it (Tarjan's strongly connected components of size > 1, or a self-import). */
export function importCycles(files: readonly SourceFile[]): string[][] {
  const graph = new Map(files.map((f) => [f.path, f.imports.filter((i) => i !== f.path || true)]))
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = []
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w)
        scc.push(w)
        if (w === v) break
      }
      if (scc.length > 1 || graph.get(v)!.includes(v)) cycles.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return cycles
}
