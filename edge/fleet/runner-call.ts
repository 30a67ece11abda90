import { runnerKeyOf } from '../../runner/contract/job-id.ts'
import { HEADER } from '../../runner/contract/http-names.ts'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import type { EdgeClock } from '../core/clock.ts'
import type { Discovery, RunnerEndpoint } from '../discovery/types.ts'

/** The headers that make a request to `runner` one the runner takes from this edge: the HMAC signature and the key the edge knows it by. */
export function edgeToRunnerHeaders(headers: Headers, runner: RunnerEndpoint, secret: string | undefined, method: string, target: URL, wallMs: number, body: Uint8Array | undefined): void {
  headers.set(HEADER.runnerKey, runnerKeyOf(runner.id))
  if (!secret) return
  for (const [k, v] of Object.entries(signRequest(secret, method, target.pathname + target.search, wallMs, body ?? ''))) headers.set(k, v)
}

export interface RunnerCall {
  readonly method: 'GET' | 'POST'
  readonly pathWithQuery: string
  readonly requestId: string
  readonly timeoutMs: number
  readonly body?: Uint8Array<ArrayBuffer>
  readonly headers?: Readonly<Record<string, string>>
}

/** Requests to one named runner (not placed by signature): a job's status, each runner's /pressure and /metrics. */
export interface RunnerCaller {
  runners(): Promise<readonly RunnerEndpoint[]>
  /** a runner could not be reached: discovery may refresh its list */
  invalidate(): void
  /** the runner's answer, whatever its status; throws when it cannot be reached or the time runs out */
  call(runner: RunnerEndpoint, req: RunnerCall): Promise<Response>
}

export function createRunnerCaller(o: {
  readonly discovery: Discovery
  readonly clock: EdgeClock
  hmacSecret(): string | undefined | Promise<string | undefined>
  readonly transport?: (url: string, init: RequestInit) => Promise<Response>
}): RunnerCaller {
  const transport = o.transport ?? ((url, init) => fetch(url, init))
  return {
    runners: () => o.discovery.runners(),
    invalidate: () => o.discovery.invalidate(),
    async call(runner, req) {
      const target = new URL(req.pathWithQuery, runner.url)
      const headers = new Headers(req.headers)
      headers.set(HEADER.requestId, req.requestId)
      headers.set(HEADER.deadlineMs, String(req.timeoutMs))
      edgeToRunnerHeaders(headers, runner, await o.hmacSecret(), req.method, target, o.clock.wallMs(), req.body)
      return transport(target.href, { method: req.method, headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs), redirect: 'manual' })
    },
  }
}

/** Why a runner could not be reached, in a few words (the fetch error's cause code when there is one). */
export function unreachableReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time'
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)
}
