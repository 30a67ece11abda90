import { HEADER } from '../../runner/contract/http-names.ts'
import type { RunnerEndpoint } from '../discovery/types.ts'

/** A runner's load as it answers now: a number, or 'down' (unreachable, too slow, or not ready). */
export type ProbeAnswer = number | 'down'
export type Prober = (runner: RunnerEndpoint) => Promise<ProbeAnswer>

/**
 * GET /ready: every runner answer carries x-crawlfleet-load, and /ready answers 503 while the
 * runner drains or has no browser yet, so one small request says both whether a runner takes work
 * and how busy it is. Unsigned: /ready is public on the runner, and a load figure is no secret.
 */
export function httpProber(o: { fetch: (url: string, init: RequestInit) => Promise<Response>; timeoutMs: number }): Prober {
  return async (runner) => {
    try {
      const res = await o.fetch(new URL('/ready', runner.url).href, { method: 'GET', signal: AbortSignal.timeout(o.timeoutMs) })
      void res.body?.cancel()
      const load = Number(res.headers.get(HEADER.load))
      return res.ok && res.headers.has(HEADER.load) && Number.isFinite(load) && load >= 0 ? load : 'down'
    } catch {
      return 'down'
    }
  }
}
