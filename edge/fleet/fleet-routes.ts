import type { Hono, MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { RunnerEndpoint } from '../discovery/types.ts'
import { requireApiKey, type ApiKeyAuth } from '../middleware/api-key.ts'
import { dashboardPage } from './dashboard-page.ts'
import type { DashboardLinks } from './dashboard-link.ts'
import { mergePrometheusText } from './merge-metrics.ts'
import { unreachableReason, type RunnerCaller } from './runner-call.ts'

// The edge's view of its whole fleet, for operators: /ready, /pressure and /metrics gathered from every
// runner discovery lists (signed requests, as page requests are), and the dashboard that draws /pressure.

export interface FleetDeps {
  readonly caller: RunnerCaller
  readonly links: DashboardLinks
}

const READY_TIMEOUT_MS = 2_000
const PRESSURE_TIMEOUT_MS = 3_000
const METRICS_TIMEOUT_MS = 5_000

type Answer<T> = { readonly id: string; readonly ok: true; readonly value: T } | { readonly id: string; readonly ok: false; readonly error: string }

/** Asks every runner at once; one that fails or is slow is reported, not waited for past the timeout. */
async function askEveryRunner<T>(fleet: FleetDeps, requestId: string, path: string, timeoutMs: number, read: (res: Response) => Promise<T>): Promise<Answer<T>[]> {
  const runners = await fleet.caller.runners()
  return Promise.all(
    runners.map(async (r: RunnerEndpoint): Promise<Answer<T>> => {
      try {
        const res = await fleet.caller.call(r, { method: 'GET', pathWithQuery: path, requestId, timeoutMs })
        if (!res.ok && res.status !== 503) {
          void res.body?.cancel()
          return { id: r.id, ok: false, error: `HTTP ${res.status}` }
        }
        return { id: r.id, ok: true, value: await read(res) }
      } catch (err) {
        return { id: r.id, ok: false, error: unreachableReason(err) }
      }
    }),
  )
}

/** An API key, or a dashboard link's token (read-only views only). */
export function keyOrDashboardLink(auth: ApiKeyAuth, links: DashboardLinks): MiddlewareHandler {
  const apiKey = requireApiKey(auth)
  return async function keyOrDashboardLink(c, next) {
    if (!auth.open && (await links.verify(c.req.query('token')))) return next()
    return apiKey(c, next)
  }
}

export function mountFleetRoutes(app: Hono<EdgeEnv>, o: { readonly fleet: FleetDeps; readonly auth: ApiKeyAuth }): void {
  const { fleet } = o
  const apiKey = requireApiKey(o.auth)
  const keyOrLink = keyOrDashboardLink(o.auth, fleet.links)

  // open, like /health: load balancers and probes have no key; it says how many runners are ready, not which
  app.get('/ready', async (c) => {
    const answers = await askEveryRunner(fleet, c.get('requestId'), '/ready', READY_TIMEOUT_MS, async (res) => {
      void res.body?.cancel()
      return res.ok
    })
    const ready = answers.filter((a) => a.ok && a.value).length
    const body = { ready: ready > 0, runners: { ready, total: answers.length } }
    return ready > 0 ? c.json(body) : c.json(body, 503, { 'retry-after': '5' })
  })

  app.get('/pressure', keyOrLink, async (c) => c.json(await fleetPressure(fleet, c.get('requestId'))))

  app.get('/metrics', apiKey, async (c) => {
    const answers = await askEveryRunner(fleet, c.get('requestId'), '/metrics', METRICS_TIMEOUT_MS, (res) => res.text())
    const up = answers.map((a) => `crawlfleet_edge_runner_up{runner="${a.id}"} ${a.ok ? 1 : 0}`)
    const head = `# HELP crawlfleet_edge_runner_up 1 when the edge could read the runner's /metrics\n# TYPE crawlfleet_edge_runner_up gauge\n${up.join('\n')}\n`
    const merged = mergePrometheusText(answers.flatMap((a) => (a.ok ? [{ runner: a.id, text: a.value }] : [])))
    return c.text(head + merged, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  app.get('/dashboard', keyOrLink, async (c) => {
    // the page polls /pressure with a token of its own, whichever way this request was let in
    const token = o.auth.open ? undefined : (c.req.query('token') ?? (await fleet.links.issue()).token)
    return c.html(dashboardPage({ token }), 200, { 'cache-control': 'no-store', 'content-security-policy': DASHBOARD_CSP })
  })
  app.get('/dashboard/link', apiKey, async (c) => {
    const { token, expiresAtMs } = await fleet.links.issue()
    const url = new URL('/dashboard', c.req.url)
    if (!o.auth.open) url.searchParams.set('token', token)
    return c.json({ url: url.href, expires_at: new Date(expiresAtMs).toISOString() })
  })
}

/** Nothing but this origin: the page's script, style and data are all its own. */
const DASHBOARD_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export async function fleetPressure(fleet: FleetDeps, requestId: string) {
  const answers = await askEveryRunner(fleet, requestId, '/pressure', PRESSURE_TIMEOUT_MS, (res) => res.json() as Promise<RunnerPressure>)
  const live = answers.flatMap((a) => (a.ok ? [a.value] : []))
  const sum = (f: (p: RunnerPressure) => number | undefined) => live.reduce((n, p) => n + (f(p) ?? 0), 0)
  return {
    at: new Date().toISOString(),
    totals: {
      runners: answers.length,
      answering: live.length,
      available: live.filter((p) => p.available).length,
      browsers: { permanent: sum((p) => p.pool?.permanent), hot: sum((p) => p.pool?.hot), cold: sum((p) => p.pool?.cold) },
      running: sum((p) => p.pool?.running),
      queued: sum((p) => p.pool?.queued),
      page_slots: sum((p) => p.plan?.pageSlots),
    },
    runners: answers.map((a) => (a.ok ? { id: a.id, ok: true, pressure: a.value } : { id: a.id, ok: false, error: a.error })),
  }
}

/** The part of a runner's /pressure the totals read; the rest passes through as the runner wrote it. */
interface RunnerPressure {
  readonly available?: boolean
  readonly pool?: { permanent?: number; hot?: number; cold?: number; running?: number; queued?: number }
  readonly plan?: { pageSlots?: number }
}
