import { isDefaultSignature } from '../../runner/contract/signature.ts'
import type { ProbeAnswer } from './probe.ts'
import { rankRunners } from './rendezvous.ts'

export interface Placement {
  /** runner ids in the order the request tries them */
  readonly order: readonly string[]
  /** the first runner gets this bound (x-crawlfleet-refuse-above-load): the next candidate's probed load */
  readonly guard?: { readonly runnerId: string; readonly aboveLoad: number }
  /** runners whose probe failed: tried last, and put in backoff by the caller */
  readonly down: readonly string[]
  /** the first runner, when the load store picked it (and counts the request against it) */
  readonly storePick?: string
}

export interface ProbedPlacementInput {
  readonly signature: string
  readonly runnerIds: readonly string[]
  /** unique per request: picks the candidates of a default-signature request */
  readonly requestKey: string
  /** how many candidates to probe (d in "power of d choices") */
  readonly candidates: number
  probe(runnerId: string): Promise<ProbeAnswer>
}

/**
 * Placement that needs no memory in the edge (a Lambda instance with one request in flight has
 * none worth the name). A launch signature keeps its rendezvous order, unprobed: its browser is
 * warm on its first runner, and a busy one says so with a 429 like any other. A default-signature
 * request takes `candidates` runners by rendezvous over its own key, asks each for its load at
 * once (GET /ready, in parallel), and goes to the lightest; the runner learns the runner-up's
 * load as a bound and refuses at once if others sent it work in the meantime. Candidates that did
 * not answer go last.
 */
export async function probedPlacement(p: ProbedPlacementInput): Promise<Placement> {
  if (!isDefaultSignature(p.signature) || p.runnerIds.length < 2 || p.candidates < 2) {
    const order = rankRunners(isDefaultSignature(p.signature) ? `${p.signature}/${p.requestKey}` : p.signature, p.runnerIds)
    return { order, down: [] }
  }
  const ranked = rankRunners(`${p.signature}/${p.requestKey}`, p.runnerIds)
  const probed = ranked.slice(0, p.candidates)
  const answers = await Promise.all(probed.map((id) => p.probe(id)))
  const up: { id: string; load: number; rank: number }[] = []
  const down: string[] = []
  probed.forEach((id, rank) => {
    const a = answers[rank]
    if (a === 'down') down.push(id)
    else up.push({ id, load: a, rank })
  })
  // lightest first; equal loads keep their rendezvous rank, so ties spread like random choice
  up.sort((a, b) => a.load - b.load || a.rank - b.rank)
  const order = [...up.map((u) => u.id), ...ranked.slice(p.candidates), ...down]
  const guard = up.length >= 2 ? { runnerId: up[0].id, aboveLoad: up[1].load } : undefined
  return { order, guard, down }
}
