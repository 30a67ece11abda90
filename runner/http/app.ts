import { OpenAPIHono } from '@hono/zod-openapi'
import { describeCrawl4aiWrappers, registerCrawl4aiComponents } from '../contract/crawl4ai/openapi.ts'
import { bodyLimit } from 'hono/body-limit'
import { timing } from 'hono/timing'
import { BodyTooLargeError, InvalidFieldError, UnsupportedMediaTypeError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import { invalidFieldFrom } from '../contract/validate.ts'
import type { z } from '@hono/zod-openapi'
import { isJsonMediaType, MAX_BODY_BYTES } from '../contract/body-rules.ts'
import { registerPageRoute, type PageRouteDeps, type PageRouteSpec, type PageRoutes } from './define-route.ts'
import { requireHmac } from './require-hmac.ts'
import { refuseAboveLoad } from './refuse-above-load.ts'
import { countPageRequests } from './count-page-requests.ts'
import { errorResponder, notFound, type LogError } from './error-response.ts'
import { DOCS_ASSETS_BASE, serveDocsAsset } from './docs-assets.ts'
import { registerDebugRoutes } from './debug-routes.ts'
import type { PrometheusMetrics } from '../metrics/prometheus.ts'

export interface RunnerAppDeps extends PageRouteDeps {
  readonly runnerId: string
  readonly hmacSecret: string | undefined
  readonly routes: PageRoutes
  readonly metrics: PrometheusMetrics
  /** (running + queued) / page slots, sent on every response for the edge's two-choice placement */
  load(): number
  /** each page request from its arrival until its answer (the load store's count); returns its end */
  onPageRequest?(storePick: boolean): () => void
  isReady(): boolean
  pressure(): Promise<object>
  nowWallMs(): number
  logError: LogError
  /** what this runner offers beyond pages, in /health (the edge's MCP lists `ask` only with an LLM) */
  readonly features?: { readonly llm: boolean; readonly webhooks: boolean }
  /** POST /debug/gc and /debug/heap-snapshot (CRAWLFLEET_DEBUG_ENDPOINTS) */
  readonly debugEndpoints?: boolean
  /** routes besides the page routes (the job routes), registered first, with the same guards */
  extraRoutes?(app: OpenAPIHono, guard: RouteGuards): void
}

/** The checks every POST route of the runner gets (JSON, body limit, edge signature, UTF-8), and the signature for GETs. */
export interface RouteGuards {
  post(path: string): void
  get(pattern: string): void
}

/** The runner's HTTP surface. No I/O happens here at import or construction. */
export function createRunnerApp(deps: RunnerAppDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw invalidFieldFrom(result.error)
    },
  })
  app.onError(errorResponder(deps.logError))
  app.notFound(notFound)

  app.use('*', async function runnerHeaders(c, next) {
    const started = deps.clock.now()
    await next()
    c.header(HEADER.runnerId, deps.runnerId)
    c.header(HEADER.load, deps.load().toFixed(3))
    if (c.req.method === 'POST') deps.metrics.observeRequest(c.req.routePath, c.res.status, (deps.clock.now() - started) / 1000)
  })

  app.get('/health', (c) => c.json({ status: 'ok', runner: deps.runnerId, ...deps.features }))
  app.get('/ready', (c) =>
    deps.isReady() ? c.json({ ready: true }) : c.json({ ready: false, draining: deps.isDraining() }, 503, { 'retry-after': '5' }),
  )
  // registered once: a registration per call grew the registry with every /openapi.json served
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  registerCrawl4aiComponents(app.openAPIRegistry)
  // made on first request and kept: the routes are fixed once the app is built, and generating it
  // took ~50 ms of CPU and a few MB of garbage per call
  let document: string | undefined
  app.get('/openapi.json', (c) => c.body((document ??= JSON.stringify(openApiDocument(app))), 200, { 'content-type': 'application/json' }))
  // the Swagger UI page's writer loads on the first /docs, not at start
  let docsPage: ReturnType<typeof import('@hono/swagger-ui').swaggerUI> | undefined
  app.get('/docs', async (c, next) => {
    docsPage ??= (await import('@hono/swagger-ui')).swaggerUI({ url: '/openapi.json', baseUrl: DOCS_ASSETS_BASE, persistAuthorization: true })
    return docsPage(c, next)
  })
  app.get(`${DOCS_ASSETS_BASE}/*`, serveDocsAsset)

  // Everything below touches browsers or internals: only the edge may call it when a secret is set.
  const signed = requireHmac({ secret: deps.hmacSecret, nowMs: deps.nowWallMs })
  app.use('/pressure', signed)
  app.use('/metrics', signed)
  app.get('/pressure', async (c) => c.json(await deps.pressure()))
  if (deps.debugEndpoints) registerDebugRoutes(app, signed)
  app.get('/metrics', async (c) => c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }))

  const guard: RouteGuards = {
    post(path) {
      app.use(path, requireJson)
      // the limit before the signature: checking a signature reads the whole body
      app.use(path, bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new BodyTooLargeError(MAX_BODY_BYTES) } }))
      app.use(path, signed)
      app.use(path, requireUtf8)
    },
    get: (pattern) => void app.use(pattern, signed),
  }
  deps.extraRoutes?.(app, guard)
  // Server-Timing on every page route: `queue` (the wait for a page slot) and `total` (the runner's whole answer)
  const serverTiming = timing({ totalDescription: 'runner' })
  for (const [path, route] of Object.entries(deps.routes) as [string, PageRouteSpec<z.ZodType>][]) {
    app.use(path, serverTiming)
    if (route.get) app.use(`${path}/*`, serverTiming)
    guard.post(path)
    if (deps.onPageRequest) app.use(path, countPageRequests(deps.onPageRequest))
    // a page request the edge placed against another candidate's load is refused at once when busier
    app.use(path, refuseAboveLoad(deps.load))
    if (route.get) app.use(`${path}/*`, signed, refuseAboveLoad(deps.load)) // the GET form (/llm/{url}) is signed like the POST
    if (route.get && deps.onPageRequest) app.use(`${path}/*`, countPageRequests(deps.onPageRequest))
    registerPageRoute(app, path, route, deps)
  }
  return app
}

export function openApiDocument(app: OpenAPIHono) {
  return describeCrawl4aiWrappers(app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'crawlfleet', version: '0.1.0', description: 'Rendered pages from a fleet of long-lived Chromium browsers' },
  }) as unknown as Record<string, unknown>)
}

async function requireJson(c: Parameters<Parameters<OpenAPIHono['use']>[1]>[0], next: () => Promise<void>) {
  if (c.req.method !== 'POST') return next() // another method on a page route is a 404, not a media-type question
  const type = c.req.header('content-type') ?? ''
  if (!isJsonMediaType(type)) throw new UnsupportedMediaTypeError(`send the body as application/json (got "${type || 'nothing'}")`)
  await next()
}

/** Invalid UTF-8 is refused as the edge refuses it, rather than read with replacement characters. */
async function requireUtf8(c: Parameters<Parameters<OpenAPIHono['use']>[1]>[0], next: () => Promise<void>) {
  if (c.req.method === 'POST') {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer()) // cached: the JSON parse reads the same bytes
    } catch {
      throw new InvalidFieldError('body', 'is not valid UTF-8')
    }
  }
  await next()
}
