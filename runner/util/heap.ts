import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getHeapCodeStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { runInNewContext } from 'node:vm'

// V8 keeps the heap it grew to under load: after a busy hour an idle runner would hold what the
// busiest minute needed. A full collection when the runner has gone idle gives it back (with the
// small semi-spaces of runnerNodeFlags, most of it). --expose-gc is not needed at start: the flag
// set now installs `gc` in contexts made after it, such as this one.

let gc: (() => void) | undefined

/** A full, compacting collection now. Synchronous: call it only when nothing is waiting. */
export function collectGarbage(): void {
  gc ??= (globalThis as { gc?: () => void }).gc ?? (setFlagsFromString('--expose-gc'), runInNewContext('gc') as () => void)
  gc()
}

export interface MemoryFigures {
  readonly rssBytes: number
  readonly heapUsedBytes: number
  /** the heap used by objects: heapUsed without compiled code and bytecode, which the JIT adds as it warms up */
  readonly heapObjectBytes: number
  readonly heapTotalBytes: number
  readonly externalBytes: number
  readonly arrayBuffersBytes: number
}

export function memoryFigures(): MemoryFigures {
  const m = process.memoryUsage()
  const code = getHeapCodeStatistics()
  const heapObjectBytes = m.heapUsed - code.code_and_metadata_size - code.bytecode_and_metadata_size
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapObjectBytes, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers }
}

/** Writes a heap snapshot into the temp directory and returns its path (after a full collection: only what is reachable). */
export function heapSnapshotToTemp(): string {
  collectGarbage()
  return writeHeapSnapshot(join(tmpdir(), `runner-${process.pid}-${Date.now()}.heapsnapshot`))
}
