/**
 * Each browser's memory (PSS of its process tree) for /pressure and the dashboard, measured at most
 * once per `maxAgeMs` per browser: reading a tree's smaps costs a few ms, and the dashboard polls.
 */
export function browserMemorySampler(measure: (pid: number) => Promise<number>, nowMs: () => number, maxAgeMs = 5_000) {
  const cache = new Map<number, { atMs: number; bytes: Promise<number | null> }>()
  return async function memoryOf(pids: readonly (number | undefined)[]): Promise<(number | null)[]> {
    const now = nowMs()
    const live = new Set(pids)
    for (const pid of cache.keys()) if (!live.has(pid)) cache.delete(pid)
    return Promise.all(
      pids.map((pid) => {
        if (pid === undefined) return null
        let entry = cache.get(pid)
        if (!entry || now - entry.atMs >= maxAgeMs) {
          entry = { atMs: now, bytes: measure(pid).then((b) => (b > 0 ? b : null), () => null) }
          cache.set(pid, entry)
        }
        return entry.bytes
      }),
    )
  }
}
