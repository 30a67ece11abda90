import { describe, expect, it } from 'vitest'
import { capacityPlanner, DEFAULT_PER_BROWSER_BYTES, DEFAULT_PER_PAGE_BYTES, DEFAULT_RESERVE_BYTES, planCapacity, type CapacityInput } from '../../../runner/pool/capacity-plan.ts'
import { BrowserCostModel } from '../../../runner/pool/cost-model.ts'
import { DEFAULT_CAPACITY_SETTINGS } from '../../../runner/pool/pool-settings.ts'

const MB = 1024 * 1024
const base: CapacityInput = {
  memoryLimitBytes: 4096 * MB,
  cpuCores: 2,
  perBrowserBytes: 100 * MB,
  perPageBytes: 20 * MB,
  reserveBytes: 256 * MB,
  settings: { pagesPerCore: 2, queueWaitMs: 10_000 },
}

describe('planCapacity', () => {
  it('gives pages per core, a queue cap from memory, and browsers from what is left after the permanent and the pages', () => {
    const plan = planCapacity(base)
    expect(plan.pageSlots).toBe(4)
    // 3840 MB of budget at 1 MiB a queued request; one caller may hold half
    expect(plan.maxQueued).toBe(3840)
    expect(plan.maxQueuedPerCaller).toBe(1920)
    expect(plan.queueWaitMs).toBe(10_000)
    expect(plan.memoryBudgetBytes).toBe(3840 * MB)
    // (3840 - 100 permanent - 4 × 20 pages) / 100 = 36.6
    expect(plan.maxBrowsers).toBe(36)
    expect(plan).toMatchObject({ perBrowserBytes: 100 * MB, perPageBytes: 20 * MB })
  })

  it('takes an operator’s queue caps, and never fewer than 8 queued a slot', () => {
    expect(planCapacity({ ...base, settings: { ...base.settings, maxQueued: 100, maxQueuedPerCaller: 300 } })).toMatchObject({ maxQueued: 100, maxQueuedPerCaller: 100 })
    expect(planCapacity({ ...base, memoryLimitBytes: 260 * MB }).maxQueued).toBe(8)
  })

  it('bounds page slots by memory when memory is tighter than CPU', () => {
    // budget 744 MB: 100 for the permanent, then 644 / 20 = 32 slots by memory, 8 × 2 = 16 by CPU
    expect(planCapacity({ ...base, cpuCores: 8, memoryLimitBytes: 1000 * MB }).pageSlots).toBe(16)
    // budget 144 MB: 44 / 20 = 2 slots, fewer than CPU allows
    const tight = planCapacity({ ...base, memoryLimitBytes: 400 * MB })
    expect(tight.pageSlots).toBe(2)
    expect(tight.maxBrowsers).toBe(0)
  })

  it('always leaves one page slot, even with no memory to spare or a fraction of a core', () => {
    expect(planCapacity({ ...base, memoryLimitBytes: 200 * MB }).pageSlots).toBe(1)
    expect(planCapacity({ ...base, cpuCores: 0.25 }).pageSlots).toBe(1)
    expect(planCapacity({ ...base, memoryLimitBytes: 200 * MB }).maxBrowsers).toBe(0)
  })

  it("applies the operator's browser cap only below what memory allows", () => {
    expect(planCapacity({ ...base, settings: { ...base.settings, maxBrowsers: 5 } }).maxBrowsers).toBe(5)
    expect(planCapacity({ ...base, settings: { ...base.settings, maxBrowsers: 500 } }).maxBrowsers).toBe(36)
  })

  it('fits fewer browsers when each one is measured to cost more', () => {
    expect(planCapacity({ ...base, perBrowserBytes: 200 * MB }).maxBrowsers).toBe(17) // (3840 - 200 - 80) / 200 = 17.8
  })

  it('refuses costs that would divide by zero', () => {
    expect(() => planCapacity({ ...base, perPageBytes: 0 })).toThrow(RangeError)
    expect(() => planCapacity({ ...base, perBrowserBytes: -1 })).toThrow(RangeError)
  })

  it('starts from the measured defaults (90 MB a browser, 17 MB a page, 256 MB reserve) when costs are not given', () => {
    const plan = planCapacity({ memoryLimitBytes: 4096 * MB, cpuCores: 2, settings: DEFAULT_CAPACITY_SETTINGS })
    expect(plan).toMatchObject({ perBrowserBytes: DEFAULT_PER_BROWSER_BYTES, perPageBytes: DEFAULT_PER_PAGE_BYTES, memoryBudgetBytes: 4096 * MB - DEFAULT_RESERVE_BYTES })
    expect(plan.maxBrowsers).toBe(38) // (3840 - 90 - 16 slots × 17) / 90 = 38.6
  })

  it('is a plain object that survives JSON (it is served on /pressure)', () => {
    const plan = planCapacity({ ...base, settings: DEFAULT_CAPACITY_SETTINGS })
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan)
  })
})

describe('capacityPlanner', () => {
  it('recomputes when the measured per-browser cost changes, and only then', () => {
    const cost = new BrowserCostModel(100 * MB)
    const { perBrowserBytes: _, ...fixed } = base
    const plan = capacityPlanner(fixed, cost)
    const first = plan()
    expect(first.maxBrowsers).toBe(36)
    expect(plan()).toBe(first)
    cost.record(200 * MB)
    expect(plan().perBrowserBytes).toBe(200 * MB)
    expect(plan().maxBrowsers).toBe(17)
  })
})
