import { listProcessTree, treePssBytes } from '../../runner/browser/process-tree.ts'
import { readFile } from 'node:fs/promises'
import { processMemoryBytes } from '../../runner/resources/process-memory.ts'
import { systemResourceReader } from '../../runner/resources/resource-reader.ts'

const MB = 1024 * 1024

export interface TreeMemory {
  /** PSS of the process and all its descendants (runner + its Chromium), MB */
  readonly pssMb: number
  /** processes in the tree: Chromium's renderers come and go with pages, so leaked pages show here */
  readonly processes: number
}

export async function treeMemory(pid: number): Promise<TreeMemory> {
  const [pss, pids] = await Promise.all([treePssBytes(pid), listProcessTree(pid)])
  return { pssMb: round(pss / MB), processes: pids.length }
}

/** PSS of one process alone (e.g. the local stack's edge, without its runner children), MB. */
export async function processPssMb(pid: number): Promise<number> {
  return round((await processMemoryBytes(pid, { root: '/', readFile: (path) => readFile(path, 'utf8') })) / MB)
}

/**
 * The working set of the cgroup this bench runs in (usage − inactive_file), when it runs in one
 * with a limit. It counts everything in that cgroup (on a shared machine: other people's work too).
 */
export async function cgroupWorkingSet(): Promise<{ source: string; usedMb: number; limitMb: number } | null> {
  const reader = systemResourceReader({ log: () => undefined })
  const limits = await reader.limits()
  if (!limits.memorySource.startsWith('cgroup') && limits.memorySource !== 'ecs') return null
  const s = await reader.sample()
  return { source: limits.memorySource, usedMb: round(s.memory.usedBytes / MB), limitMb: round(s.memory.limitBytes / MB) }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}
