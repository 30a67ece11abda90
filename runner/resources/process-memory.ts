import { join } from 'node:path'

export interface ProcDeps {
  readonly root: string
  readFile(path: string): Promise<string>
}

/** A `Name:   123 kB` field of `/proc/<pid>/smaps_rollup` or `/proc/<pid>/status`, in bytes; null when absent. */
export function parseProcKbField(text: string, field: string): number | null {
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s+(\d+)\s+kB\s*$/.exec(line.trim())
    if (m && m[1] === field) return Number(m[2]) * 1024
  }
  return null
}

async function readField(deps: ProcDeps, path: string, field: string): Promise<number | null> {
  try {
    return parseProcKbField(await deps.readFile(path), field)
  } catch {
    return null
  }
}

/** One process's memory: PSS (shared pages split between sharers), else RSS; a vanished process is 0. */
export async function processMemoryBytes(pid: number, deps: ProcDeps): Promise<number> {
  const dir = join(deps.root, 'proc', String(pid))
  return (
    (await readField(deps, join(dir, 'smaps_rollup'), 'Pss')) ?? (await readField(deps, join(dir, 'status'), 'VmRSS')) ?? 0
  )
}

/** Sum of PSS over the pids (each counted once), falling back to VmRSS per pid; vanished pids count 0. */
export async function processTreeMemoryBytes(pids: readonly number[], deps: ProcDeps): Promise<number> {
  const each = await Promise.all([...new Set(pids)].map((pid) => processMemoryBytes(pid, deps)))
  return each.reduce((a, b) => a + b, 0)
}
