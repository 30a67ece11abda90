// ECS task metadata endpoint v4: the limits ECS gave this container and its task.

const MiB = 1024 * 1024

export interface EcsLimits {
  readonly memoryBytes: number | null
  readonly cpuCores: number | null
}

function limitsOf(doc: unknown): { CPU?: unknown; Memory?: unknown } {
  const limits = (doc as { Limits?: unknown } | null)?.Limits
  return typeof limits === 'object' && limits !== null ? limits : {}
}

const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null)

/**
 * Memory: the container's limit (MiB) first, then the task's.
 * CPU: the task's vCPU only. A container's `CPU` (units) is a relative share on Linux, not a cap:
 * the documented Fargate example has 10 units, which would read as 0.01 cores.
 */
export function parseEcsLimits(container: unknown, task: unknown): EcsLimits {
  const memoryMiB = positive(limitsOf(container).Memory) ?? positive(limitsOf(task).Memory)
  return {
    memoryBytes: memoryMiB === null ? null : Math.round(memoryMiB * MiB),
    cpuCores: positive(limitsOf(task).CPU),
  }
}

async function getJson(url: string, fetchFn: typeof fetch, timeoutMs: number): Promise<unknown> {
  const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`)
  return res.json()
}

/** Reads both documents at once; one failing is fine, both failing throws the container's error. */
export async function readEcsLimits(uri: string, deps: { fetch: typeof fetch; timeoutMs: number }): Promise<EcsLimits> {
  const base = uri.replace(/\/+$/, '')
  const [container, task] = await Promise.allSettled([
    getJson(base, deps.fetch, deps.timeoutMs),
    getJson(`${base}/task`, deps.fetch, deps.timeoutMs),
  ])
  if (container.status === 'rejected' && task.status === 'rejected') throw container.reason
  return parseEcsLimits(
    container.status === 'fulfilled' ? container.value : undefined,
    task.status === 'fulfilled' ? task.value : undefined,
  )
}
