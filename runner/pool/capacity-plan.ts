const MB = 1024 * 1024

// DESIGN.md "Browser build": Chromium's headless shell measured ≈ 90 MB PSS per browser and
// ≈ 17 MB PSS per open context (Playwright 1.65, Debian Chromium, 2 cores). The per-browser figure
// is only the starting estimate: the cost model replaces it with measurements from this machine.
export const DEFAULT_PER_BROWSER_BYTES = 90 * MB
export const DEFAULT_PER_PAGE_BYTES = 17 * MB
/** the runner's own Node process (~100 MB) plus headroom for spikes while pages render */
export const DEFAULT_RESERVE_BYTES = 256 * MB
/**
 * What one queued request may hold in the runner process: its body (the edge allows 2 MiB, most are
 * far smaller), the parsed input and its socket's buffers. The queue's hard cap is the memory budget
 * over this, so a 4 GiB task queues thousands, not a few dozen: waiting is bounded by time instead.
 */
export const QUEUED_REQUEST_BYTES = 1 * MB
/** never fewer queued places than this per slot, however small the memory */
const MIN_QUEUED_PER_SLOT = 8

// How much work this runner takes, from the limits it really has. Pure: the pool, admission and
// /pressure read the result as a plain object.

export interface CapacitySettings {
  readonly pagesPerCore: number
  /** the longest predicted wait a request is admitted with */
  readonly queueWaitMs: number
  /** an operator's hard cap on queued requests; @default - from memory (QUEUED_REQUEST_BYTES each) */
  readonly maxQueued?: number
  /** queued requests of one caller; @default - half of maxQueued, so others always find room */
  readonly maxQueuedPerCaller?: number
  /** an operator's cap on hot + cold browsers, below what memory allows */
  readonly maxBrowsers?: number
}

export interface CapacityInput {
  readonly memoryLimitBytes: number
  readonly cpuCores: number
  /** measured by the cost model; @default DEFAULT_PER_BROWSER_BYTES until the first measurement */
  readonly perBrowserBytes?: number
  /** @default DEFAULT_PER_PAGE_BYTES */
  readonly perPageBytes?: number
  /** the runner process itself plus headroom; @default DEFAULT_RESERVE_BYTES */
  readonly reserveBytes?: number
  readonly settings: CapacitySettings
}

export interface CapacityPlan {
  /** hot + cold browsers; the permanent browser's share is taken from the budget first */
  readonly maxBrowsers: number
  /** hot/cold launches at a time (one per two cores): each passes the memory gate on its turn, and the permanent browser's pages keep the rest of the CPU */
  readonly concurrentLaunches: number
  readonly pageSlots: number
  /** hard cap on queued requests: the wait is bounded by time, this bounds memory */
  readonly maxQueued: number
  readonly maxQueuedPerCaller: number
  readonly queueWaitMs: number
  /** memory for Chromium: the limit minus the reserve */
  readonly memoryBudgetBytes: number
  readonly perBrowserBytes: number
  readonly perPageBytes: number
}

export function planCapacity(input: CapacityInput): CapacityPlan {
  const { perBrowserBytes = DEFAULT_PER_BROWSER_BYTES, perPageBytes = DEFAULT_PER_PAGE_BYTES, reserveBytes = DEFAULT_RESERVE_BYTES, settings } = input
  if (!(perBrowserBytes > 0) || !(perPageBytes > 0)) throw new RangeError(`per-browser and per-page costs must be > 0, got ${perBrowserBytes} and ${perPageBytes}`)
  const memoryBudgetBytes = Math.max(0, input.memoryLimitBytes - reserveBytes)
  const afterPermanentBytes = Math.max(0, memoryBudgetBytes - perBrowserBytes)
  // pages are bounded by CPU first (rendering is CPU-bound), then by what memory holds; one slot always
  const cpuSlots = Math.floor(input.cpuCores * settings.pagesPerCore)
  const memorySlots = Math.floor(afterPermanentBytes / perPageBytes)
  const pageSlots = Math.max(1, Math.min(cpuSlots, memorySlots))
  const forBrowsersBytes = Math.max(0, afterPermanentBytes - pageSlots * perPageBytes)
  const byMemory = Math.floor(forBrowsersBytes / perBrowserBytes)
  const maxBrowsers = settings.maxBrowsers === undefined ? byMemory : Math.min(byMemory, settings.maxBrowsers)
  const maxQueued = settings.maxQueued ?? Math.max(pageSlots * MIN_QUEUED_PER_SLOT, Math.floor(memoryBudgetBytes / QUEUED_REQUEST_BYTES))
  return {
    maxBrowsers,
    concurrentLaunches: Math.max(1, Math.floor(input.cpuCores / 2)),
    pageSlots,
    maxQueued,
    maxQueuedPerCaller: Math.min(maxQueued, settings.maxQueuedPerCaller ?? Math.ceil(maxQueued / 2)),
    queueWaitMs: settings.queueWaitMs,
    memoryBudgetBytes,
    perBrowserBytes,
    perPageBytes,
  }
}

/** A plan getter that recomputes only when the per-browser estimate changes. */
export function capacityPlanner(fixed: Omit<CapacityInput, 'perBrowserBytes'>, cost: { estimateBytes(): number }): () => CapacityPlan {
  let last: CapacityPlan | undefined
  return () => {
    const perBrowserBytes = cost.estimateBytes()
    if (last?.perBrowserBytes !== perBrowserBytes) last = planCapacity({ ...fixed, perBrowserBytes })
    return last
  }
}
