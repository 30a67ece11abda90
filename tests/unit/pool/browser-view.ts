import type { BrowserView } from '../../../runner/pool/types.ts'

/** "now" for pure pool-policy tests */
export const NOW = 10_000_000

/** A browser as the pool's policies see it: an active cold browser used once, just now, unless `over` says otherwise. */
export const browser = (over: Partial<BrowserView> & Pick<BrowserView, 'id'>): BrowserView => ({
  signature: `sig-${over.id}`,
  tier: 'cold',
  state: 'active',
  leases: 0,
  uses: 1,
  pagesServed: 1,
  launchedAtMs: NOW - 60_000,
  lastUsedAtMs: NOW,
  pid: undefined,
  ...over,
})
