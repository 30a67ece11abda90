import { isDefaultSignature } from '../../runner/contract/signature.ts'
import { rankRunners } from './rendezvous.ts'

export interface PlacementInput {
  readonly signature: string
  readonly runnerIds: readonly string[]
  /** unique per request: spreads default-signature requests over every runner */
  readonly requestKey: string
  loadOf(runnerId: string): number
}

/**
 * The order in which a request tries runners. A launch signature keeps a stable rendezvous
 * order, so its browser stays warm on one runner. The default browser runs on every runner, so
 * a default-signature request takes two candidates picked at random (rendezvous over a
 * per-request key) and goes to the less loaded one: the power of two choices keeps the busiest
 * runner near the mean without any shared state.
 */
export function placeRequest(p: PlacementInput): string[] {
  if (!isDefaultSignature(p.signature)) return rankRunners(p.signature, p.runnerIds)
  const order = rankRunners(`${p.signature}/${p.requestKey}`, p.runnerIds)
  if (order.length >= 2 && p.loadOf(order[1]) < p.loadOf(order[0])) [order[0], order[1]] = [order[1], order[0]]
  return order
}
