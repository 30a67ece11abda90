import { OpenAPIHono } from '@hono/zod-openapi'
import { describeCrawl4aiWrappers, registerCrawl4aiComponents } from '../contract/crawl4ai/openapi.ts'
import { swaggerUI } from '@hono/swagger-ui'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { BodyTooLargeError, InvalidFieldError, UnsupportedMediaTypeError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import { invalidFieldFrom } from '../contract/validate.ts'
import { registerPageRoute, type PageRouteDeps, type PageRouteSpec } from './define-route.ts'
import { requireHmac } from './require-hmac.ts'
import { errorResponder, type LogError } from './error-response.ts'
import type { PrometheusMetrics } from '../metrics/prometheus.ts'

export const MAX_BODY_BYTES = 2 * 1024 * 1024

export interface RunnerAppDeps extends PageRouteDeps {
  readonly runnerId: string
  readonly hmacSecret: string | undefined
  readonly routes: readonly PageRouteSpec<never>[]
  readonly metrics: PrometheusMetrics
  /** (running + queued) / page slots, sent on every response for the edge's two-choice placement */
  load(): number
  isReady(): boolean
  pressure(): Promise<object>
  nowWallMs(): number
  logError: LogError
}

/** The runner's HTTP surface. No I/O happens here at import or construction. */
export function createRunnerApp(deps: RunnerAppDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw invalidFieldFrom(result.error)
    },
  })
  app.onError((err, c) => errorResponder(deps.logError)(normaliseHttpError(err), c))
  app.notFound((c) => c.json({ success: false, error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404))

  app.use('*', async function runnerHeaders(c, next) {
    const started = deps.clock.now()
    await next()
    c.header(HEADER.runnerId, deps.runnerId)
    c.header(HEADER.load, deps.load().toFixed(3))
    if (c.req.method === 'POST') deps.metrics.observeRequest(c.req.routePath, c.res.status, (deps.clock.now() - started) / 1000)
  })

  app.get('/health', (c) => c.json({ status: 'ok', runner: deps.runnerId }))
  app.get('/ready', (c) =>
    deps.isReady() ? c.json({ ready: true }) : c.json({ ready: false, draining: deps.isDraining() }, 503, { 'retry-after': '5' }),
  )
  app.get('/openapi.json', (c) => c.json(openApiDocument(app)))
  app.get('/docs', swaggerUI({ url: '/openapi.json' }))

  // Everything below touches browsers or internals: only the edge may call it when a secret is set.
  const signed = requireHmac({ secret: deps.hmacSecret, nowMs: deps.nowWallMs })
  app.use('/pressure', signed)
  app.use('/metrics', signed)
  app.get('/pressure', async (c) => c.json(await deps.pressure()))
  app.get('/metrics', async (c) => c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }))

  for (const route of deps.routes) {
    app.use(route.path, requireJson)
    // the limit before the signature: checking a signature reads the whole body
    app.use(route.path, bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new BodyTooLargeError(MAX_BODY_BYTES) } }))
    app.use(route.path, signed)
    app.use(route.path, requireUtf8)
    if (route.get) app.use(`${route.path}/*`, signed) // the GET form (/llm/{url}) is signed like the POST
    registerPageRoute(app, route, deps)
  }
  return app
}

export function openApiDocument(app: OpenAPIHono) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  registerCrawl4aiComponents(app.openAPIRegistry)
  return describeCrawl4aiWrappers(app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'crawlfleet', version: '0.1.0', description: 'Rendered pages from a fleet of long-lived Chromium browsers' },
  }) as unknown as Record<string, unknown>)
}

async function requireJson(c: Parameters<Parameters<OpenAPIHono['use']>[1]>[0], next: () => Promise<void>) {
  if (c.req.method !== 'POST') return next() // another method on a page route is a 404, not a media-type question
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) throw new UnsupportedMediaTypeError(`send the body as application/json (got "${type || 'nothing'}")`)
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

/** Hono's own errors (malformed JSON) become ours, so every 4xx names a field. */
function normaliseHttpError(err: Error): Error {
  if (err instanceof HTTPException && err.status === 400) return new InvalidFieldError('body', 'is not valid JSON')
  // the OpenAPI layer's own media-type check, for a content type it cannot parse ("application/json; !")
  if (err instanceof HTTPException && err.status === 415) return new UnsupportedMediaTypeError('send the body as application/json (the content type does not parse)')
  return err
}
