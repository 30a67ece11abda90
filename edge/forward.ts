import { ClientGoneError, ERROR_CODE_HEADER, mayRetryElsewhere, NoRunnerError, PageTimeoutError } from '../runner/contract/errors.ts'
import { RUNNER_ANSWER_GRACE_MS } from '../runner/contract/deadlines.ts'
import { HEADER } from '../runner/contract/http-names.ts'
import { EDGE_METRIC } from '../runner/contract/metric-names.ts'
import type { EdgeClock } from './core/clock.ts'
import type { Discovery, RunnerEndpoint } from './discovery/types.ts'
import { edgeToRunnerHeaders } from './fleet/runner-call.ts'
import { retryAfterMs, runnerHeadersForClient } from './forward-headers.ts'
import type { EdgeLogger } from './core/logger.ts'
import type { EdgeMetrics } from './core/metrics.ts'
import { RunnerBackoff } from './routing/runner-backoff.ts'
import { RunnerLoad } from './routing/runner-load.ts'
import { placeRequest } from './routing/two-choice.ts'
import type { Prober } from './routing/probe.ts'
import { probedPlacement, type Placement } from './routing/probed-placement.ts'
import type { LoadStore } from './routing/load-store.ts'
import { rankRunners } from './routing/rendezvous.ts'
import { isDefaultSignature } from '../runner/contract/signature.ts'

export interface ForwardRequest {
  readonly method: 'GET' | 'POST'
  readonly pathWithQuery: string
  readonly body?: Uint8Array<ArrayBuffer>
  /** client headers to pass on (content-type, accept) */
  readonly headers: Readonly<Record<string, string>>
  /** the browser signature: which runners to try, in which order */
  readonly signature: string
  readonly requestId: string
  /** monotonic ms (EdgeClock.now) */
  readonly deadlineAtMs: number
  readonly clientSignal?: AbortSignal
}

export type Forward = (req: ForwardRequest) => Promise<Response>
export type Transport = (url: string, init: RequestInit) => Promise<Response>

export interface ForwarderOptions {
  readonly discovery: Discovery
  readonly clock: EdgeClock
  readonly logger: EdgeLogger
  readonly metrics: EdgeMetrics
  hmacSecret(): string | undefined | Promise<string | undefined>
  readonly transport?: Transport
  readonly backoff?: RunnerBackoff
  readonly load?: RunnerLoad
  /** runners tried per request at most */
  readonly maxAttempts?: number
  /** the runner enforces the deadline itself; the edge waits this much longer for its answer */
  readonly graceMs?: number
  /** set: default-signature requests probe this many candidates' load (no edge memory needed); unset: this process's RunnerLoad */
  readonly probe?: { readonly prober: Prober; readonly candidates: number }
  /** set: default-signature requests go to the runner the load store picks; probe (else memory) when it cannot */
  readonly store?: LoadStore
}


type Attempt =
  | { kind: 'answer'; response: Response }
  | { kind: 'refused'; response: Response }
  | { kind: 'unreachable' }
  /** the runner was busier than the bound the edge gave it: not pressure, no backoff */
  | { kind: 'above-bound' }

/**
 * Sends a request to runners in placement order until one answers. A connection error, 429 or
 * 503 moves on to the next runner (and puts the refusing one in backoff) while the deadline
 * allows; any other answer, success or not, streams back to the client unbuffered. With probes
 * (the Lambda edge), the first runner also gets a load bound: its 429 for being above it moves
 * the request on without backoff, and it is asked again, unbounded, only if nobody else answers.
 */
export function createForwarder(o: ForwarderOptions): Forward {
  const transport = o.transport ?? ((url, init) => fetch(url, init))
  const backoff = o.backoff ?? new RunnerBackoff()
  const load = o.load ?? new RunnerLoad()
  const maxAttempts = o.maxAttempts ?? 4
  const graceMs = o.graceMs ?? RUNNER_ANSWER_GRACE_MS

  async function attempt(runner: RunnerEndpoint, req: ForwardRequest, remainingMs: number, secret: string | undefined, aboveLoad?: number, storePick = false): Promise<Attempt> {
    const target = new URL(req.pathWithQuery, runner.url)
    const headers = new Headers(req.headers)
    headers.set(HEADER.requestId, req.requestId)
    headers.set(HEADER.deadlineMs, String(remainingMs))
    if (aboveLoad !== undefined) headers.set(HEADER.refuseAboveLoad, aboveLoad.toFixed(3))
    if (storePick) headers.set(HEADER.storePick, '1')
    edgeToRunnerHeaders(headers, runner, secret, req.method, target, o.clock.wallMs(), req.body)
    const deadline = AbortSignal.timeout(remainingMs + graceMs)
    const signal = req.clientSignal ? AbortSignal.any([deadline, req.clientSignal]) : deadline
    let res: Response
    load.begin(runner.id)
    try {
      res = await transport(target.href, { method: req.method, headers, body: req.body, signal, redirect: 'manual' })
    } catch (err) {
      if (req.clientSignal?.aborted) throw new ClientGoneError()
      if (deadline.aborted) throw new PageTimeoutError(`runner ${runner.id} did not answer within the deadline`)
      if (storePick) o.store?.drop(runner.id)
      backoff.failed(runner.id, o.clock.now())
      o.discovery.invalidate()
      o.logger.warn({ runner: runner.id, requestId: req.requestId, err: errorText(err) }, 'runner unreachable; trying the next one')
      return { kind: 'unreachable' }
    } finally {
      load.end(runner.id)
    }
    load.report(runner.id, res.headers.get(HEADER.load), o.clock.now())
    const code = res.headers.get(ERROR_CODE_HEADER)
    if (aboveLoad !== undefined && code === 'BUSIER_THAN_ALTERNATIVE') {
      void res.body?.cancel()
      return { kind: 'above-bound' }
    }
    // the runner's error code decides: a crash reported as any status still moves on; a target's 503 does not
    if (mayRetryElsewhere(res.status, code)) {
      backoff.failed(runner.id, o.clock.now(), retryAfterMs(res))
      return { kind: 'refused', response: res }
    }
    backoff.succeeded(runner.id)
    return { kind: 'answer', response: toClient(res, runner.id) }
  }

  /** The order to try runners in: probed (stateless) or from this process's memory of loads. */
  async function place(req: ForwardRequest, byId: ReadonlyMap<string, RunnerEndpoint>): Promise<Placement> {
    const now = o.clock.now()
    const ids = [...byId.keys()]
    const usable: string[] = []
    const skipped: string[] = []
    for (const id of ids) (backoff.isSkipped(id, now) ? skipped : usable).push(id)
    // every runner is in backoff: one try at the one whose backoff ends first beats a certain 503
    if (usable.length === 0) return { order: [ids.reduce((a, b) => (backoff.retryInMs([b], now) < backoff.retryInMs([a], now) ? b : a))], down: [] }
    if (o.store && isDefaultSignature(req.signature) && usable.length >= 2) {
      const picked = await o.store.pick(skipped)
      // the rest keep a per-request rendezvous order: where the request goes if the pick fails
      if (picked !== undefined && byId.has(picked) && !skipped.includes(picked)) return { order: [picked, ...rankRunners(`${req.signature}/${req.requestId}`, usable.filter((id) => id !== picked))], storePick: picked, down: [] }
      if (picked !== undefined) o.store.release(picked)
      o.metrics.count(EDGE_METRIC.loadStoreFallback)
    }
    if (!o.probe) {
      return { order: placeRequest({ signature: req.signature, runnerIds: usable, requestKey: req.requestId, loadOf: (id) => load.loadOf(id, now) }), down: [] }
    }
    const probe = o.probe
    const placement = await probedPlacement({ signature: req.signature, runnerIds: usable, requestKey: req.requestId, candidates: probe.candidates, probe: (id) => probe.prober(byId.get(id)!) })
    for (const id of placement.down) backoff.failed(id, o.clock.now())
    if (placement.down.length > 0) o.discovery.invalidate()
    return placement
  }

  return async function forward(req) {
    const runners = await o.discovery.runners()
    if (runners.length === 0) {
      o.metrics.count(EDGE_METRIC.noHealthyRunner)
      throw new NoRunnerError('no runner is registered')
    }
    const byId = new Map(runners.map((r) => [r.id, r]))
    const [placement, secret] = await Promise.all([place(req, byId), o.hmacSecret()])
    let last429: Response | undefined
    let tried = 0
    const aboveBound: string[] = []
    const candidates = placement.order.slice(0, maxAttempts)
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]
      const remainingMs = Math.floor(req.deadlineAtMs - o.clock.now())
      if (remainingMs <= 0) break
      tried++
      const bound = i === 0 && placement.guard?.runnerId === id ? placement.guard.aboveLoad : undefined
      const outcome = await attempt(byId.get(id)!, req, remainingMs, secret, bound, i === 0 && placement.storePick === id)
      if (outcome.kind === 'answer') return outcome.response
      // the bound is a preference, not a refusal: with no one else left, ask again without it
      if (outcome.kind === 'above-bound' && !candidates.includes(id, i + 1)) aboveBound.push(id)
      if (i === candidates.length - 1 && aboveBound.length > 0) candidates.push(...aboveBound.splice(0))
      if (outcome.kind === 'refused' && outcome.response.status === 429) {
        void last429?.body?.cancel()
        last429 = outcome.response
      } else if (outcome.kind === 'refused') {
        void outcome.response.body?.cancel()
      }
    }
    if (last429) return toClient(last429, last429.headers.get(HEADER.runnerId) ?? 'unknown')
    if (tried === 0 || req.deadlineAtMs <= o.clock.now()) throw new PageTimeoutError('no runner answered within the deadline')
    o.metrics.count(EDGE_METRIC.noHealthyRunner)
    const retrySec = Math.max(1, Math.ceil(backoff.retryInMs([...byId.keys()], o.clock.now()) / 1000))
    throw new NoRunnerError(`no runner could take the request (${tried} tried)`, retrySec)
  }
}

function toClient(res: Response, runnerId: string): Response {
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: runnerHeadersForClient(res, runnerId) })
}

function errorText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err)
}
