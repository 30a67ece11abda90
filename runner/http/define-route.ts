import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { setMetric } from 'hono/timing'
import { browserRequestOf } from '../contract/browser-request.ts'
import { DrainingError, type ErrorCode } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import type { PAGE_ROUTE_BODIES, PagePath } from '../contract/page-routes.ts'
import { parseOrThrow } from '../contract/validate.ts'
import type { PageWork, PageWorkFactory } from '../session/page-work.ts'
import { requestDeadline } from '../session/request-deadline.ts'
import type { Clock } from '../util/clock.ts'
import { errorResponses, PAGE_ROUTE_ERRORS } from './openapi-errors.ts'

export interface PageRouteSpec<S extends z.ZodType> {
  readonly summary: string
  readonly body: S
  /** the JSON answer; `binary` adds a raw alternative chosen with the Accept header (NDJSON: `ok` is one line, and the only answer) */
  readonly ok: z.ZodType
  readonly binary?: 'image/png' | 'application/pdf' | 'application/x-ndjson'
  /** error codes this route may answer besides every page route's */
  readonly errors?: readonly ErrorCode[]
  timeoutMs(input: z.output<S>): number
  /** single-URL routes refuse a bad URL up front (403); /crawl judges each URL in its own result */
  readonly checkUrlUpFront: boolean
  /** streaming routes dispose of the deadline themselves when the stream ends */
  readonly ownsDeadline?: boolean
  /** the page work of one request; its browser was chosen from the input already */
  run(input: z.output<S>, work: PageWork, c: Context): Promise<Response>
  /** a GET form of the same route (crawl4ai's `GET /llm/{url}?q=`): its input becomes the body */
  readonly get?: {
    readonly openApiPath: string
    /** a Hono path that also routes here, for a path parameter that holds slashes (`/llm/:url{.+}`) */
    readonly routingPath?: string
    readonly request: Parameters<typeof createRoute>[0]['request']
    input(c: Context): unknown
  }
}

/** One route per path of the contract's PAGE_ROUTE_BODIES, each taking that path's body: a missing one does not compile. */
export type PageRoutes = { readonly [P in PagePath]: PageRouteSpec<(typeof PAGE_ROUTE_BODIES)[P]> }

export interface PageRouteDeps {
  readonly clock: Clock
  readonly pageWork: PageWorkFactory
  checkUrl(url: string, field: string): Promise<void>
  isDraining(): boolean
}

/** the caller id the edge sent; a malformed one is treated as none rather than trusted as a queue key */
function callerOf(c: Context): string | undefined {
  const id = c.req.header(HEADER.caller)
  return id && /^[0-9a-f]{8,64}$/.test(id) ? id : undefined
}

export function definePageRoute<S extends z.ZodType>(spec: PageRouteSpec<S>): PageRouteSpec<S> {
  return spec
}

export function registerPageRoute<S extends z.ZodType>(app: OpenAPIHono, path: string, spec: PageRouteSpec<S>, deps: PageRouteDeps): void {
  // a stream's answer is NDJSON whatever the Accept header says: `ok` describes each of its lines
  const okContent: Record<string, { schema: z.ZodType }> =
    spec.binary === 'application/x-ndjson' ? { [spec.binary]: { schema: spec.ok } } : { 'application/json': { schema: spec.ok } }
  if (spec.binary && spec.binary !== 'application/x-ndjson') okContent[spec.binary] = { schema: { type: 'string', format: 'binary' } as never }
  const responses = {
    200: { description: 'rendered', content: okContent },
    ...errorResponses([...PAGE_ROUTE_ERRORS, ...(spec.errors ?? [])]),
  }
  const route = createRoute({
    method: 'post',
    path,
    summary: spec.summary,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: spec.body } }, required: true } },
    responses,
  })
  const handle = async (c: Context, input: z.output<S>): Promise<Response> => {
    if (deps.isDraining()) throw new DrainingError()
    if (spec.checkUrlUpFront) await deps.checkUrl((input as { url: string }).url, 'url')
    const deadline = requestDeadline({
      clock: deps.clock,
      timeoutMs: spec.timeoutMs(input),
      deadlineHeader: c.req.header(HEADER.deadlineMs),
      clientSignal: c.req.raw.signal,
    })
    let handedOver = false
    const work = deps.pageWork(browserRequestOf(input as Parameters<typeof browserRequestOf>[0]), deadline, callerOf(c))
    try {
      const res = await spec.run(input, work, c)
      handedOver = spec.ownsDeadline === true
      return res
    } finally {
      if (!handedOver) deadline.dispose()
      // a stream's wait so far: its headers go out before its pages are done
      setMetric(c, 'queue', work.queuedMs(), 'waiting for a page slot', 1)
    }
  }
  app.openapi(route, (c: Context) => handle(c, (c.req as unknown as { valid(t: 'json'): z.output<S> }).valid('json')))
  if (spec.get) {
    const get = spec.get
    const handleGet = (c: Context) => handle(c, parseOrThrow(spec.body, get.input(c)))
    app.openapi(createRoute({ method: 'get', path: get.openApiPath, summary: spec.summary, security: [{ bearer: [] }], request: get.request, responses }), handleGet)
    // OpenAPI path parameters are one segment; the document keeps that form, the router takes both
    if (get.routingPath) app.get(get.routingPath, handleGet)
  }
}
