import { request as httpRequest, type Agent, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { ALLOWED_SCHEMES } from '../contract/url-policy/check-url.ts'
import { connectFirst, limitConnectTime } from './connect.ts'
import { openTunnel, type Upstream } from './upstream.ts'

// Moving bytes for one connection of the browser: a CONNECT tunnel (HTTPS, WebSockets) or one plain
// HTTP request. Where to is decided before: `destination` resolves, applies the URL policy and answers
// with the addresses it checked; only those are ever connected to.

/** Response headers that tell the page layer why the proxy answered instead of the target. */
export const EGRESS_HEADER = { refused: 'x-crawlfleet-refused', upstreamError: 'x-crawlfleet-upstream-error' } as const
const OWN_HEADER_PREFIX = 'x-crawlfleet-'

export type Destination =
  | { readonly kind: 'direct'; readonly addresses: readonly string[] }
  | { readonly kind: 'upstream'; readonly addresses: readonly string[]; readonly upstream: Upstream }

export interface ForwardContext {
  /** the checked addresses for this host, or undefined when refused (the refusal is remembered) */
  destination(hostname: string, port: number, signal: AbortSignal): Promise<Destination | undefined>
  refusalRule(hostname: string): string
  failed(hostname: string, code: string): void
  /** a plain-HTTP redirect to a scheme the URL policy refuses (file:, javascript:…), answered with a 403 instead */
  refusedRedirect(hostname: string, location: string): void
  readonly agent: Agent
  readonly connectTimeoutMs: number
}

export async function tunnel(req: IncomingMessage, client: Duplex, head: Buffer, ctx: ForwardContext): Promise<void> {
  client.on('error', () => undefined)
  const gone = new AbortController()
  client.once('close', () => gone.abort(new Error('the browser closed the connection')))
  const target = parseAuthority(req.url ?? '')
  const destination = target && (await ctx.destination(target.hostname, target.port, gone.signal).catch(() => undefined))
  if (!target || !destination) {
    if (!gone.signal.aborted) client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
    return
  }
  let upstream: Socket
  let early: Buffer = Buffer.alloc(0)
  try {
    if (destination.kind === 'direct') {
      upstream = await connectFirst(destination.addresses, target.port, ctx.connectTimeoutMs, gone.signal)
    } else {
      upstream = await connectFirst(destination.addresses, destination.upstream.port, ctx.connectTimeoutMs, gone.signal)
      try {
        early = await openTunnel(upstream, req.url!, destination.upstream, ctx.connectTimeoutMs)
      } catch (err) {
        upstream.destroy()
        throw err
      }
    }
  } catch (err) {
    if (gone.signal.aborted) return
    ctx.failed(target.hostname, (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN')
    client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')
    return
  }
  if (gone.signal.aborted) return void upstream.destroy()
  upstream.on('error', () => client.destroy())
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
  if (early.length > 0) client.write(early)
  if (head.length > 0) upstream.write(head)
  upstream.pipe(client)
  client.pipe(upstream)
  client.on('close', () => upstream.destroy())
  upstream.on('close', () => client.destroy())
}

export async function forwardPlain(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): Promise<void> {
  let target: URL
  try {
    target = new URL(req.url ?? '')
    if (target.protocol !== 'http:') throw new Error('not http')
  } catch {
    res.writeHead(400).end()
    return
  }
  const gone = new AbortController()
  res.once('close', () => gone.abort(new Error('the browser closed the connection')))
  const port = Number(target.port || 80)
  const hostname = unbracket(target.hostname)
  const destination = await ctx.destination(hostname, port, gone.signal).catch(() => undefined)
  if (gone.signal.aborted) return
  if (!destination) {
    res.writeHead(403, { 'content-type': 'text/plain', [EGRESS_HEADER.refused]: ctx.refusalRule(hostname) }).end('refused by the URL policy')
    return
  }
  const headers: Record<string, string | string[] | undefined> = { ...req.headers }
  delete headers['proxy-connection']
  delete headers['proxy-authorization']
  const viaUpstream = destination.kind === 'upstream' ? destination.upstream : undefined
  if (viaUpstream?.authorization) headers['proxy-authorization'] = viaUpstream.authorization
  const options = {
    host: destination.addresses[0],
    port: viaUpstream ? viaUpstream.port : port,
    // a proxy is asked in absolute form, a target in origin form
    path: viaUpstream ? target.href : target.pathname + target.search,
    method: req.method,
    headers,
    setHost: false,
    agent: ctx.agent,
  }
  // a kept-alive connection the target closed meanwhile fails at once: a request without a body is
  // sent again on a new one, as Chromium itself would do
  const bodiless = (req.method === 'GET' || req.method === 'HEAD') && !req.headers['content-length'] && !req.headers['transfer-encoding']
  const send = (retry: boolean) => {
    const upstream = httpRequest(options, (up) => {
      const location = refusedLocation(up.statusCode, up.headers.location, target)
      if (location) {
        up.resume()
        ctx.refusedRedirect(hostname, location)
        res.writeHead(403, { 'content-type': 'text/plain', [EGRESS_HEADER.refused]: 'scheme' }).end('a redirect to a scheme the URL policy refuses')
        return
      }
      res.writeHead(up.statusCode ?? 502, withoutOwnHeaders(up.rawHeaders))
      up.pipe(res)
      // a target that dies mid-body must look the same to Chromium as without the proxy
      up.on('error', () => res.destroy())
      up.on('close', () => {
        if (!up.complete) res.destroy()
      })
    })
    upstream.on('socket', (socket: Socket) => limitConnectTime(socket, ctx.connectTimeoutMs))
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy()
      if (retry && upstream.reusedSocket && err.code === 'ECONNRESET' && !gone.signal.aborted) return send(false)
      const code = err.code ?? 'EUNKNOWN'
      ctx.failed(hostname, code)
      res.writeHead(502, { [EGRESS_HEADER.upstreamError]: code }).end()
    })
    res.once('close', () => upstream.destroy())
    if (bodiless) upstream.end()
    else req.pipe(upstream)
  }
  send(bodiless)
}

/** A target (or a caller's proxy) cannot speak for the egress proxy: its x-crawlfleet-* headers are dropped. */
export function withoutOwnHeaders(raw: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase().startsWith(OWN_HEADER_PREFIX)) continue
    out.push(raw[i]!, raw[i + 1]!)
  }
  return out
}

/** The Location of a redirect to anything but http(s) (Chromium blocks some as unsafe, hands others to the OS). */
function refusedLocation(status: number | undefined, location: string | undefined, base: URL): string | undefined {
  if (!status || status < 300 || status >= 400 || !location) return undefined
  try {
    return ALLOWED_SCHEMES.has(new URL(location, base).protocol) ? undefined : location
  } catch {
    return undefined // not a URL at all: Chromium shows the redirect page
  }
}

function parseAuthority(authority: string): { hostname: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority)
  if (!m) return undefined
  const port = Number(m[2])
  return port > 0 && port < 65536 ? { hostname: unbracket(m[1]!), port } : undefined
}

export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
