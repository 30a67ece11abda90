import { Hono, type Context } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { DEFAULT_SIGNATURE } from '../runner/contract/signature.ts'
import { HEADER } from '../runner/contract/http-names.ts'
import { PAGE_ROUTES } from '../runner/contract/page-routes.ts'
import type { UrlPolicy } from '../runner/contract/url-policy/check-url.ts'
import type { EdgeClock } from './core/clock.ts'
import type { EdgeEnv } from './core/edge-env.ts'
import { errorResponder, notFound } from './error-response.ts'
import type { Forward, ForwardRequest } from './forward.ts'
import { clientHeadersToForward } from './forward-headers.ts'
import type { EdgeLogger } from './core/logger.ts'
import type { EdgeMetrics } from './core/metrics.ts'
import { requireApiKey, type ApiKeyAuth } from './middleware/api-key.ts'
import { readJsonBody } from './middleware/json-body.ts'
import { requestId } from './middleware/request-id.ts'
import { requireOriginSecret } from './middleware/origin-secret.ts'
import { admitLlmPath, admitPageCall } from './page-call.ts'
import type { FleetDeps } from './fleet/fleet-routes.ts'
import { mountFleetFeatures } from './fleet/mount.ts'
import { deepCrawlRoute } from './deep-crawl/deep-crawl-route.ts'

export interface EdgeDeps {
  readonly auth: ApiKeyAuth
  readonly urlPolicy: UrlPolicy
  readonly forward: Forward
  readonly clock: EdgeClock
  readonly logger: EdgeLogger
  readonly metrics: EdgeMetrics
  readonly maxBodyBytes: number
  /** the whole request, retries included, must be answered within this */
  readonly requestDeadlineMs: number
  /** the values CloudFront may put in x-crawlfleet-origin (any one passes); unset: no origin check (local) */
  originSecret?(): string | readonly string[] | undefined | Promise<string | readonly string[] | undefined>
  /** requests to named runners: /ready, /pressure, /metrics, /dashboard, jobs by task id, /mcp (unset: not served) */
  readonly fleet?: FleetDeps
}

/** The edge's HTTP surface, platform-neutral: `lambda.ts` and `local.ts` only adapt `app.fetch`. */
export function createEdgeApp(deps: EdgeDeps): Hono<EdgeEnv> {
  if (!(deps.requestDeadlineMs > 0)) throw new Error(`requestDeadlineMs must be > 0, got ${deps.requestDeadlineMs}`)
  const app = new Hono<EdgeEnv>()
  app.onError(errorResponder(deps.logger, deps.metrics))
  app.notFound(notFound)
  app.use('*', requestId())
  app.use('*', secureHeaders())
  app.use('*', async function startDeadline(c, next) {
    c.set('deadlineAtMs', deps.clock.now() + deps.requestDeadlineMs)
    await next()
  })

  app.get('/health', (c) => c.json({ status: 'ok' }))
  if (deps.originSecret) app.use('*', requireOriginSecret(deps.originSecret))

  // the API description comes from a runner, which owns the routes; no key needed to read it
  const forwardOpen = (c: Context<EdgeEnv>) => forwardFrom(c, deps, { method: 'GET', signature: DEFAULT_SIGNATURE })
  app.get('/openapi.json', forwardOpen)
  app.get('/docs', forwardOpen)
  app.get('/docs/assets/*', forwardOpen)

  const apiKey = requireApiKey(deps.auth)
  const jsonBody = readJsonBody({ maxBodyBytes: deps.maxBodyBytes })
  if (deps.fleet) mountFleetFeatures(app, { ...deps, fleet: deps.fleet })
  // crawl4ai's deep crawls are run here, page by page over the fleet; other bodies pass through
  const deepCrawl = deepCrawlRoute(deps)
  for (const route of PAGE_ROUTES) {
    app.post(route, apiKey, jsonBody, deepCrawl, async (c) => {
      const signature = await admitPageCall(route, c.get('body'), deps.urlPolicy)
      return forwardFrom(c, deps, { method: 'POST', signature, body: c.get('body') })
    })
  }
  app.get('/llm/*', apiKey, async (c) => {
    const url = new URL(c.req.url)
    const signature = await admitLlmPath(url.pathname, url.searchParams, deps.urlPolicy)
    return forwardFrom(c, deps, { method: 'GET', signature })
  })
  return app
}

function forwardFrom(c: Context<EdgeEnv>, deps: EdgeDeps, call: Pick<ForwardRequest, 'method' | 'signature' | 'body'>): Promise<Response> {
  const url = new URL(c.req.url)
  return deps.forward({
    ...call,
    pathWithQuery: url.pathname + url.search,
    headers: { ...clientHeadersToForward(c.req.raw), ...callerHeader(c.get('caller')) },
    requestId: c.get('requestId'),
    deadlineAtMs: c.get('deadlineAtMs'),
    clientSignal: c.req.raw.signal,
  })
}

function callerHeader(caller: string | undefined): Record<string, string> {
  return caller === undefined ? {} : { [HEADER.caller]: caller }
}
