// The runner's half of stateless two-choice placement (edge/routing/probed-placement.ts). An
// edge instance that holds one request knows nothing of the fleet, so it asks two candidates
// for their load, sends the request to the lighter one and adds the heavier one's load as a
// bound. If this runner has become busier than that since it answered the probe (other edges
// sent it work meanwhile), it says so at once instead of queueing, and the edge goes to the
// other candidate. Admission calls this before it admits or queues; it needs only the load the
// runner already reports in x-crawlfleet-load, so it holds under any admission policy that
// keeps reporting one (issue 11's predicted wait included: report wait-equivalent load there).

/** The bound from the edge's header; undefined when absent or not a finite number ≥ 0. */
export function parseLoadBound(header: string | undefined | null): number | undefined {
  if (header === undefined || header === null || header.trim() === '') return undefined
  const n = Number(header)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/**
 * True when the request should be refused at once. Loads are compared at the precision they
 * travel in (3 decimals), so a runner that reported exactly the bound is not busier than it.
 */
export function isAboveBound(loadNow: number, bound: number | undefined): boolean {
  return bound !== undefined && Math.round(loadNow * 1000) > Math.round(bound * 1000)
}
