import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Page } from 'playwright-core'
import type { BrowserRequest } from '../contract/browser-request.ts'
import { DrainingError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import { ErrorResponse } from '../contract/request-schemas.ts'
import { parseOrThrow } from '../contract/validate.ts'
import type { Clock } from '../util/clock.ts'
import { requestDeadline, type RequestDeadline } from '../session/request-deadline.ts'
import type { WithPage } from '../session/with-page.ts'

/** What a page route gets: its deadline and a way to run work on fresh pages within it. */
export interface PageWork {
  readonly deadline: RequestDeadline
  withPage<T>(req: BrowserRequest, fn: (page: Page, remainingMs: number) => Promise<T>): Promise<T>
  /** the URL policy, for routes that check their URLs one by one (crawl) */
  checkUrl(url: string, field: string): Promise<void>
}

export interface PageRouteSpec<S extends z.ZodType> {
  readonly path: string
  readonly summary: string
  readonly body: S
  /** the JSON answer; `binary` adds a raw alternative chosen with the Accept header (NDJSON: `ok` is one line, and the only answer) */
  readonly ok: z.ZodType
  readonly binary?: 'image/png' | 'application/pdf' | 'application/x-ndjson'
  /** error answers this route adds to the common ones, or describes better, for the OpenAPI document */
  readonly errors?: Readonly<Record<number, string>>
  timeoutMs(input: z.output<S>): number
  /** single-URL routes refuse a bad URL up front (403); /crawl judges each URL in its own result */
  readonly checkUrlUpFront: boolean
  /** streaming routes dispose of the deadline themselves when the stream ends */
  readonly ownsDeadline?: boolean
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

export interface PageRouteDeps {
  readonly clock: Clock
  readonly withPage: WithPage
  checkUrl(url: string, field: string): Promise<void>
  isDraining(): boolean
}

const errorContent = (description: string) => ({ description, content: { 'application/json': { schema: ErrorResponse } } })

export function definePageRoute<S extends z.ZodType>(spec: PageRouteSpec<S>): PageRouteSpec<S> {
  return spec
}

export function registerPageRoute<S extends z.ZodType>(app: OpenAPIHono, spec: PageRouteSpec<S>, deps: PageRouteDeps): void {
  // a stream's answer is NDJSON whatever the Accept header says: `ok` describes each of its lines
  const okContent: Record<string, { schema: z.ZodType }> =
    spec.binary === 'application/x-ndjson' ? { [spec.binary]: { schema: spec.ok } } : { 'application/json': { schema: spec.ok } }
  if (spec.binary && spec.binary !== 'application/x-ndjson') okContent[spec.binary] = { schema: { type: 'string', format: 'binary' } as never }
  const route = createRoute({
    method: 'post',
    path: spec.path,
    summary: spec.summary,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: spec.body } }, required: true } },
    responses: {
      200: { description: 'rendered', content: okContent },
      400: errorContent('a field is invalid (the error names it)'),
      401: errorContent('no API key (edge) or an unsigned request (runner)'),
      403: errorContent('wrong API key, or the URL policy refused the URL'),
      429: errorContent('every page slot and the queue are full; see Retry-After'),
      502: errorContent('the target failed (DNS, refused, TLS…)'),
      503: errorContent('memory pressure, draining, or a crashed browser; see Retry-After'),
      504: errorContent('the page did not finish within page_timeout'),
      ...Object.fromEntries(Object.entries(spec.errors ?? {}).map(([status, description]) => [status, errorContent(description)])),
    },
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
    const work: PageWork = {
      deadline,
      withPage: (req, fn) => deps.withPage(req, deadline, fn),
      checkUrl: deps.checkUrl,
    }
    let handedOver = false
    try {
      const res = await spec.run(input, work, c)
      handedOver = spec.ownsDeadline === true
      return res
    } finally {
      if (!handedOver) deadline.dispose()
    }
  }
  app.openapi(route, (c: Context) => handle(c, (c.req as unknown as { valid(t: 'json'): z.output<S> }).valid('json')))
  if (spec.get) {
    const get = spec.get
    const handleGet = (c: Context) => handle(c, parseOrThrow(spec.body, get.input(c)))
    app.openapi(
      createRoute({
        method: 'get',
        path: get.openApiPath,
        summary: spec.summary,
        security: [{ bearer: [] }],
        request: get.request,
        responses: route.responses,
      }),
      handleGet,
    )
    // OpenAPI path parameters are one segment; the document keeps that form, the router takes both
    if (get.routingPath) app.get(get.routingPath, handleGet)
  }
}
