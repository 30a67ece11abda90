import { Agent, createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { UrlRefusedError } from '../contract/errors.ts'
import type { ProxySettings } from '../contract/signature.ts'
import { resolvesWithoutDns, type UrlPolicy } from '../contract/url-policy/check-url.ts'
import { listenOnLoopback } from '../util/listen-loopback.ts'
import type { DnsBudget, DnsResolver } from './dns-resolver.ts'
import { forwardPlain, tunnel, unbracket, type Destination, type ForwardContext } from './forward.ts'
import { upstreamOf, type Upstream } from './upstream.ts'

// The only way out for a browser. Chromium's --proxy-server points here, and so does every request's
// context, through a session of its own: a loopback listener that knows the request's DNS budget and
// its caller's proxy, if any. The session resolves names itself, applies the URL policy to every
// address, and connects only to an address it checked (redirects, subresources, fetch, WebSockets and
// DNS rebinding included); a caller's proxy is its upstream, reached the same way.

export { EGRESS_HEADER } from './forward.ts'

/** What happened the last time a host was asked for (HTTPS failures reach Chromium only as a failed tunnel). */
export type EgressOutcome = { readonly kind: 'refused'; readonly error: unknown } | { readonly kind: 'upstream'; readonly code: string }

/** One request's way out: its context's proxy. */
export interface EgressSession {
  /** http://127.0.0.1:<port>, for the context's proxy */
  readonly url: string
  /** the last failure for this host in this session, if any */
  lastFailure(hostname: string): EgressOutcome | undefined
  close(): Promise<void>
}

export interface EgressProxy {
  /** the browser's own proxy (--proxy-server), for anything outside a request's context */
  readonly url: string
  /** A listener for one request's context; `upstream` is the caller's own proxy. */
  openSession(o?: { upstream?: ProxySettings | null }): Promise<EgressSession>
  /** connections refused by the policy since start */
  refusals(): number
  openSessions(): number
  close(): Promise<void>
}

export interface EgressOptions {
  readonly policy: Pick<UrlPolicy, 'allowedAddresses'>
  readonly dns: DnsResolver
  /** for a TCP connection to a target or a caller's proxy, and for that proxy's answer to CONNECT */
  readonly connectTimeoutMs?: number
  readonly log?: (event: string, fields: object) => void
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const MAX_REMEMBERED_FAILURES = 1000
/** idle kept-alive connections to targets close after this (servers often close theirs after 5 s) */
const KEEP_ALIVE_IDLE_MS = 4_000

export async function startEgressProxy(o: EgressOptions): Promise<EgressProxy> {
  const log = o.log ?? (() => undefined)
  const agent = new Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS, maxFreeSockets: 64, scheduling: 'lifo' })
  const sessions = new Set<EgressSession>()
  const ownPorts = new Set<number>()
  let refused = 0

  /** `budget` is a request's; the browser's own listener has none (and lives as long as the proxy) */
  async function openSession(upstreamSettings: ProxySettings | null, budget: DnsBudget | undefined): Promise<EgressSession> {
    const upstream = upstreamSettings ? upstreamOf(upstreamSettings) : undefined
    const failures = new Map<string, EgressOutcome>()
    const remember = (hostname: string, outcome: EgressOutcome) => {
      failures.delete(hostname)
      failures.set(hostname, outcome)
      if (failures.size > MAX_REMEMBERED_FAILURES) failures.delete(failures.keys().next().value!)
    }
    const ctx: ForwardContext = {
      agent,
      connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      async destination(hostname, port, signal) {
        // a page asks again and again for what was refused; within one request the answer stands
        if (budget && failures.get(hostname)?.kind === 'refused') {
          refused++
          return undefined
        }
        try {
          return await destinationOf(hostname, port, signal)
        } catch (error) {
          if (signal.aborted) throw error
          refused++
          remember(hostname, { kind: 'refused', error })
          log('egress.refused', { hostname, reason: error instanceof Error ? error.message : String(error) })
          return undefined
        }
      },
      refusalRule: (hostname) => {
        const f = failures.get(hostname)
        const rule = f?.kind === 'refused' ? (f.error as { rule?: unknown }).rule : undefined
        return typeof rule === 'string' ? rule : 'policy'
      },
      failed: (hostname, code) => remember(hostname, { kind: 'upstream', code }),
      refusedRedirect: (hostname, location) => {
        refused++
        const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(location)?.[0] ?? 'another'
        remember(hostname, { kind: 'refused', error: new UrlRefusedError('scheme', `the page redirected to a ${scheme} URL; only http and https URLs are served`, 'url') })
      },
    }

    async function destinationOf(hostname: string, port: number, signal: AbortSignal): Promise<Destination> {
      const resolve = (name: string) => o.dns.resolve(name, { budget, signal })
      if (!upstream) {
        const addresses = (await o.policy.allowedAddresses(hostname, 'url', resolve)).map(unbracket)
        refuseOwnListener(addresses, port)
        return { kind: 'direct', addresses }
      }
      // behind the caller's proxy the name is the proxy's to resolve; an address (or localhost) is judged here
      if (resolvesWithoutDns(hostname)) await o.policy.allowedAddresses(hostname, 'url', resolve)
      const addresses = (await o.policy.allowedAddresses(upstream.hostname, 'browser_config.proxy', resolve)).map(unbracket)
      refuseOwnListener(addresses, upstream.port)
      return { kind: 'upstream', addresses, upstream }
    }

    const listener = await listen(ctx)
    ownPorts.add(listener.port)
    let closing: Promise<void> | undefined
    const session: EgressSession = {
      url: listener.url,
      lastFailure: (hostname) => failures.get(unbracket(hostname)),
      close: () =>
        (closing ??= (async () => {
          sessions.delete(session)
          await listener.close()
          ownPorts.delete(listener.port)
        })()),
    }
    sessions.add(session)
    return session
  }

  /** When loopback is allowed (local development), the proxy must still not be a way into itself. */
  function refuseOwnListener(addresses: readonly string[], port: number): void {
    if (ownPorts.has(port) && addresses.some((a) => a === '127.0.0.1' || a === '::ffff:127.0.0.1')) {
      throw new UrlRefusedError('loopback', 'the egress proxy does not connect to itself', 'url')
    }
  }

  const browserLevel = await openSession(null, undefined)
  return {
    url: browserLevel.url,
    openSession: ({ upstream = null } = {}) => openSession(upstream, o.dns.budget()),
    refusals: () => refused,
    openSessions: () => sessions.size - 1,
    async close() {
      await Promise.all([...sessions].map((s) => s.close()))
      agent.destroy()
    },
  }
}

async function listen(ctx: ForwardContext) {
  const server: Server = createServer((req, res) => void forwardPlain(req, res, ctx))
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => void tunnel(req, client, head, ctx))
  // Chromium tunnels ws:// through CONNECT; an upgrade in absolute form is not something it sends
  server.on('upgrade', (_req, socket: Duplex) => socket.destroy())
  return listenOnLoopback(server)
}

export type { Upstream }
