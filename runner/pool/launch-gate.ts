import type { Retirement } from './janitor-policy.ts'
import type { BrowserView } from './types.ts'

// The memory gate in front of every hot or cold launch, as a function of the browsers and the
// pressure; the pool applies the decision (evict, then launch or refuse with 503).

export interface GateState {
  /** memory in use, including browsers still launching, as % of the limit */
  readonly usedPct: number
  readonly limitBytes: number
  readonly gatePct: number
  /** hot and cold browsers alive or launching (the permanent's share is reserved apart) */
  readonly browsers: number
  readonly maxBrowsers: number
}

export interface GateDecision {
  readonly evict: readonly Retirement[]
  readonly admit: boolean
}

/**
 * The memory gate before a launch: while memory is at or above the gate or the browser count at
 * the plan's maximum, evict idle cold then idle hot browsers, least recently used first, counting
 * each one's estimated cost as freed (closing is asynchronous, a new sample would not show it yet).
 */
export function planLaunchGate(browsers: readonly BrowserView[], g: GateState, costBytes: (b: BrowserView) => number): GateDecision {
  const idle = browsers
    .filter((b) => b.state === 'active' && b.leases === 0 && b.tier !== 'permanent')
    .sort((a, b) => (a.tier === b.tier ? a.lastUsedAtMs - b.lastUsedAtMs : a.tier === 'cold' ? -1 : 1))
  const evict: Retirement[] = []
  let usedPct = g.usedPct
  let count = g.browsers
  const blocked = () => usedPct >= g.gatePct || count >= g.maxBrowsers
  for (const b of idle) {
    if (!blocked()) break
    evict.push({ id: b.id, reason: usedPct >= g.gatePct ? 'memory' : 'capacity' })
    usedPct -= (costBytes(b) / g.limitBytes) * 100
    count -= 1
  }
  return { evict, admit: !blocked() }
}
