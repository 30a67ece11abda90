import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { listenOnLoopback } from '../util/listen-loopback.ts'
import type { Duplex } from 'node:stream'

// Every browser without a proxy of its own sends all its traffic through this proxy, which
// resolves the host itself, applies the URL policy to every address, and connects to the address it
// checked. That closes what request interception cannot: redirects (Playwright's route handler never
// sees them), subresources of any kind, and DNS rebinding (Chromium would otherwise resolve again).

/** The address to connect to for a host, or a throw when the URL policy refuses it. */
export type ResolveAllowed = (hostname: string) => Promise<string>

/** Response headers that tell the page layer why the proxy answered instead of the target. */
export const EGRESS_HEADER = { refused: 'x-crawlfleet-refused', upstreamError: 'x-crawlfleet-upstream-error' } as const

/** What happened the last time a host was asked for (HTTPS failures reach Chromium only as a failed tunnel). */
export type EgressOutcome = { readonly kind: 'refused'; readonly error: unknown } | { readonly kind: 'upstream'; readonly code: string }

export interface EgressProxy {
  /** e.g. http://127.0.0.1:40123, for Chromium's --proxy-server */
  readonly url: string
  /** connections refused by the policy since start */
  refusals(): number
  /** the last failure for this host in the past minute, if any */
  lastFailure(hostname: string): EgressOutcome | undefined
  close(): Promise<void>
}

const FAILURE_MEMORY_MS = 60_000
const MAX_REMEMBERED_FAILURES = 1000

export async function startEgressProxy(resolveAllowed: ResolveAllowed, o: { log?: (event: string, fields: object) => void } = {}): Promise<EgressProxy> {
  const log = o.log ?? (() => undefined)
  const failures = new Map<string, EgressOutcome & { atMs: number }>()
  let refused = 0
  const remember = (hostname: string, outcome: EgressOutcome) => {
    failures.delete(hostname)
    failures.set(hostname, { ...outcome, atMs: performance.now() })
    if (failures.size > MAX_REMEMBERED_FAILURES) failures.delete(failures.keys().next().value!)
  }
  const hooks: Hooks = {
    async allowedAddress(hostname) {
      try {
        return unbracket(await resolveAllowed(hostname))
      } catch (error) {
        refused++
        remember(hostname, { kind: 'refused', error })
        log('egress.refused', { hostname, reason: error instanceof Error ? error.message : String(error) })
        return undefined
      }
    },
    upstreamFailed: (hostname, code) => remember(hostname, { kind: 'upstream', code }),
    refusalRule: (hostname) => {
      const f = failures.get(hostname)
      const rule = f?.kind === 'refused' ? (f.error as { rule?: unknown }).rule : undefined
      return typeof rule === 'string' ? rule : 'policy'
    },
  }

  const server: Server = createServer((req, res) => void forwardPlain(req, res, hooks))
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => void tunnel(req, client, head, hooks))
  // Chromium tunnels ws:// through CONNECT; an upgrade in absolute form is not something it sends
  server.on('upgrade', (_req, socket: Duplex) => socket.destroy())
  const listener = await listenOnLoopback(server)
  const { port } = listener
  return {
    url: `http://127.0.0.1:${port}`,
    refusals: () => refused,
    lastFailure: (hostname) => {
      const f = failures.get(unbracket(hostname)) ?? failures.get(hostname)
      return f && performance.now() - f.atMs < FAILURE_MEMORY_MS ? f : undefined
    },
    close: listener.close,
  }
}

interface Hooks {
  /** undefined when refused (and remembered with its reason) */
  allowedAddress(hostname: string): Promise<string | undefined>
  refusalRule(hostname: string): string
  upstreamFailed(hostname: string, code: string): void
}

async function tunnel(req: IncomingMessage, client: Duplex, head: Buffer, hooks: Hooks): Promise<void> {
  client.on('error', () => undefined)
  const target = parseAuthority(req.url ?? '')
  const address = target && (await hooks.allowedAddress(target.hostname))
  if (!target || !address) {
    client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
    return
  }
  const upstream = connect(target.port, address)
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    hooks.upstreamFailed(unbracket(target.hostname), err.code ?? 'EUNKNOWN')
    if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')
    client.destroy()
  })
  upstream.once('connect', () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length > 0) upstream.write(head)
    upstream.pipe(client)
    client.pipe(upstream)
  })
  client.on('close', () => upstream.destroy())
  upstream.on('close', () => client.destroy())
}

async function forwardPlain(req: IncomingMessage, res: ServerResponse, hooks: Hooks): Promise<void> {
  let target: URL
  try {
    target = new URL(req.url ?? '')
    if (target.protocol !== 'http:') throw new Error('not http')
  } catch {
    res.writeHead(400).end()
    return
  }
  const address = await hooks.allowedAddress(target.hostname)
  if (!address) {
    res.writeHead(403, { 'content-type': 'text/plain', [EGRESS_HEADER.refused]: hooks.refusalRule(target.hostname) }).end('refused by the URL policy')
    return
  }
  const headers = { ...req.headers }
  delete headers['proxy-connection']
  delete headers['proxy-authorization']
  const upstream = httpRequest(
    { host: address, port: Number(target.port || 80), method: req.method, path: target.pathname + target.search, headers, setHost: false },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders)
      up.pipe(res)
      // a target that dies mid-body must look the same to Chromium as without the proxy
      up.on('error', () => res.destroy())
      up.on('close', () => {
        if (!up.complete) res.destroy()
      })
    },
  )
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) return void res.destroy()
    res.writeHead(502, { [EGRESS_HEADER.upstreamError]: err.code ?? 'EUNKNOWN' }).end()
  })
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
}

function parseAuthority(authority: string): { hostname: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority)
  if (!m) return undefined
  const port = Number(m[2])
  return port > 0 && port < 65536 ? { hostname: m[1]!, port } : undefined
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
