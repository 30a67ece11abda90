import { signRequest } from '../runner/contract/request-hmac.ts'
import { ClientGoneError, isRetryElsewhereStatus, NoRunnerError, PageTimeoutError } from '../runner/contract/errors.ts'
import { HEADER } from '../runner/contract/http-names.ts'
import { EDGE_METRIC } from '../runner/contract/metric-names.ts'
import type { EdgeClock } from './clock.ts'
import type { Discovery, RunnerEndpoint } from './discovery/types.ts'
import { retryAfterMs, runnerHeadersForClient } from './forward-headers.ts'
import type { EdgeLogger } from './logger.ts'
import type { EdgeMetrics } from './metrics.ts'
import { RunnerBackoff } from './routing/runner-backoff.ts'
import { RunnerLoad } from './routing/runner-load.ts'
import { placeRequest } from './routing/two-choice.ts'

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
}

/** How much longer than the deadline it sent the edge waits for a runner's answer (the runner enforces the deadline itself). */
export const RUNNER_ANSWER_GRACE_MS = 2_000

type Attempt = { kind: 'answer'; response: Response } | { kind: 'refused'; response: Response } | { kind: 'unreachable' }

/**
 * Sends a request to runners in placement order until one answers. A connection error, 429 or
 * 503 moves on to the next runner (and puts the refusing one in backoff) while the deadline
 * allows; any other answer, success or not, streams back to the client unbuffered.
 */
export function createForwarder(o: ForwarderOptions): Forward {
  const transport = o.transport ?? ((url, init) => fetch(url, init))
  const backoff = o.backoff ?? new RunnerBackoff()
  const load = o.load ?? new RunnerLoad()
  const maxAttempts = o.maxAttempts ?? 4
  const graceMs = o.graceMs ?? RUNNER_ANSWER_GRACE_MS

  async function attempt(runner: RunnerEndpoint, req: ForwardRequest, remainingMs: number, secret: string | undefined): Promise<Attempt> {
    const target = new URL(req.pathWithQuery, runner.url)
    const headers = new Headers(req.headers)
    headers.set(HEADER.requestId, req.requestId)
    headers.set(HEADER.deadlineMs, String(remainingMs))
    headers.set(HEADER.browserSignature, req.signature)
    if (secret) {
      const signed = signRequest(secret, req.method, target.pathname + target.search, o.clock.wallMs(), req.body ?? '')
      for (const [k, v] of Object.entries(signed)) headers.set(k, v)
    }
    const deadline = AbortSignal.timeout(remainingMs + graceMs)
    const signal = req.clientSignal ? AbortSignal.any([deadline, req.clientSignal]) : deadline
    let res: Response
    load.begin(runner.id)
    try {
      res = await transport(target.href, { method: req.method, headers, body: req.body, signal, redirect: 'manual' })
    } catch (err) {
      if (req.clientSignal?.aborted) throw new ClientGoneError()
      if (deadline.aborted) throw new PageTimeoutError(`runner ${runner.id} did not answer within the deadline`)
      backoff.failed(runner.id, o.clock.now())
      o.discovery.invalidate()
      o.logger.warn({ runner: runner.id, requestId: req.requestId, err: errorText(err) }, 'runner unreachable; trying the next one')
      return { kind: 'unreachable' }
    } finally {
      load.end(runner.id)
    }
    load.report(runner.id, res.headers.get(HEADER.load), o.clock.now())
    if (isRetryElsewhereStatus(res.status)) {
      backoff.failed(runner.id, o.clock.now(), retryAfterMs(res))
      return { kind: 'refused', response: res }
    }
    backoff.succeeded(runner.id)
    return { kind: 'answer', response: toClient(res, runner.id) }
  }

  return async function forward(req) {
    const runners = await o.discovery.runners()
    if (runners.length === 0) {
      o.metrics.count(EDGE_METRIC.noHealthyRunner)
      throw new NoRunnerError('no runner is registered')
    }
    const byId = new Map(runners.map((r) => [r.id, r]))
    const now = o.clock.now()
    const order = placeRequest({ signature: req.signature, runnerIds: [...byId.keys()], requestKey: req.requestId, loadOf: (id) => load.loadOf(id, now) })
    let candidates = order.filter((id) => !backoff.isSkipped(id, now))
    // every runner is in backoff: one try at the one whose backoff ends first beats a certain 503
    if (candidates.length === 0) candidates = [order.reduce((a, b) => (backoff.retryInMs([b], now) < backoff.retryInMs([a], now) ? b : a))]
    const secret = await o.hmacSecret()
    let last429: Response | undefined
    let tried = 0
    for (const id of candidates.slice(0, maxAttempts)) {
      const remainingMs = Math.floor(req.deadlineAtMs - o.clock.now())
      if (remainingMs <= 0) break
      tried++
      const outcome = await attempt(byId.get(id)!, req, remainingMs, secret)
      if (outcome.kind === 'answer') return outcome.response
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
