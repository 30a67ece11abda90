import type { LoadStore } from '../../../edge/routing/load-store.ts'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnLoopback } from '../../../runner/util/listen-loopback.ts'
import { ApiKeySet } from '../../../edge/middleware/api-key-set.ts'
import { createEdgeApp, type EdgeDeps } from '../../../edge/app.ts'
import { staticDiscovery } from '../../../edge/discovery/static.ts'
import type { Discovery } from '../../../edge/discovery/types.ts'
import { createForwarder, type Transport } from '../../../edge/forward.ts'
import { silentLogger, type EdgeLogger } from '../../../edge/core/logger.ts'
import type { EdgeMetricName } from '../../../edge/core/metrics.ts'
import { RunnerBackoff } from '../../../edge/routing/runner-backoff.ts'
import { httpProber } from '../../../edge/routing/probe.ts'
import { createUrlPolicy, type Resolver } from '../../../runner/contract/url-policy/check-url.ts'

export const WALL_START_MS = 1_760_000_000_000

export function fakeClock() {
  let t = 10_000
  return { now: () => t, wallMs: () => WALL_START_MS + t, advance: (ms: number) => void (t += ms) }
}

export interface SentRequest {
  readonly url: URL
  readonly method: string
  readonly headers: Headers
  readonly body: Uint8Array
}

/** A transport that answers like runners: `answer` gets each request; throw to simulate a refused connection. */
export function fakeTransport(answer: (req: SentRequest) => Response | Promise<Response>) {
  const sent: SentRequest[] = []
  const transport: Transport = async (url, init) => {
    const req: SentRequest = {
      url: new URL(url),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: init.body ? new Uint8Array(init.body as Uint8Array) : new Uint8Array(0),
    }
    sent.push(req)
    return answer(req)
  }
  return { transport, sent }
}

export const connectionRefused = (): never => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
}

export function runnerAnswer(runner: string, status = 200, body: BodyInit = JSON.stringify({ success: true }), headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json', 'x-runner-id': runner, 'x-crawlfleet-load': '0.100', ...headers } })
}

export const runnerUrls = (n: number) => Array.from({ length: n }, (_, i) => `http://10.9.0.${i + 1}:11235`)
export const hostOf = (req: SentRequest) => req.url.host

export interface TestEdgeOptions {
  readonly transport: Transport
  readonly runners?: readonly string[]
  readonly discovery?: Discovery
  readonly apiKeys?: readonly string[]
  readonly hmacSecret?: string
  readonly allowCidrs?: readonly string[]
  readonly dns?: Record<string, readonly string[]>
  readonly clock?: ReturnType<typeof fakeClock>
  readonly backoff?: RunnerBackoff
  readonly maxBodyBytes?: number
  readonly requestDeadlineMs?: number
  readonly logger?: EdgeLogger
  readonly overrides?: Partial<EdgeDeps>
  /** probed placement (the Lambda edge's): GET /ready of this many candidates through the same transport */
  readonly probe?: { readonly candidates: number; readonly timeoutMs?: number }
  /** the load store, for default-signature requests */
  readonly store?: LoadStore
}

/** The real app and forwarder with fake runners, DNS and clock: what every app-level test drives. */
export function testEdge(o: TestEdgeOptions) {
  const clock = o.clock ?? fakeClock()
  const metrics: EdgeMetricName[] = []
  const errors: object[] = []
  const logger = o.logger ?? { ...silentLogger, error: (obj: object) => void errors.push(obj) }
  const resolve: Resolver = async (host) => {
    const found = o.dns?.[host]
    if (!found) throw new Error(`ENOTFOUND ${host}`)
    return found
  }
  const keys = new ApiKeySet(o.apiKeys ?? ['test-key'])
  const deps: EdgeDeps = {
    auth: { open: keys.size === 0, keys: async () => keys },
    urlPolicy: createUrlPolicy({ allowCidrs: o.allowCidrs, resolve }),
    forward: createForwarder({
      discovery: o.discovery ?? staticDiscovery(o.runners ?? runnerUrls(3)),
      clock,
      logger,
      metrics: { count: (m) => void metrics.push(m) },
      hmacSecret: async () => o.hmacSecret,
      transport: o.transport,
      backoff: o.backoff,
      probe: o.probe ? { prober: httpProber({ fetch: o.transport, timeoutMs: o.probe.timeoutMs ?? 200 }), candidates: o.probe.candidates } : undefined,
      store: o.store,
    }),
    clock,
    logger,
    metrics: { count: (m) => void metrics.push(m) },
    maxBodyBytes: o.maxBodyBytes ?? 64 * 1024,
    requestDeadlineMs: o.requestDeadlineMs ?? 60_000,
    ...o.overrides,
  }
  const app = createEdgeApp(deps)
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { app, post, clock, metrics, errors }
}

export interface FakeRunner {
  readonly url: string
  readonly id: string
  close(): Promise<void>
}

/** A real node:http server on loopback that answers like a runner, for streaming and Lambda tests. */
export async function startFakeRunner(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<FakeRunner> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks)))
  })
  const listener = await listenOnLoopback(server)
  const { port } = listener
  return {
    url: `http://127.0.0.1:${port}`,
    id: `127.0.0.1:${port}`,
    close: listener.close,
  }
}

// 1×1 PNG with a non-UTF-8 byte sequence in it: any text decoding on the way would change it
export const PNG_BYTES = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')
