import { createServer, request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import { createDnsResolver, type DnsQuery } from '../../runner/egress/dns-resolver.ts'
import { startEgressProxy, type EgressProxy } from '../../runner/egress/egress-proxy.ts'
import { listenOnLoopback, type LoopbackListener } from '../../runner/util/listen-loopback.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts'

// The proxy every browser's traffic goes through: it resolves, checks and connects to the address
// it checked, directly or through a caller's proxy (its upstream). Listeners inside the allow list
// (127.0.0.1) and outside it (127.0.0.2).

let allowed: FixtureSite
let forbidden: FixtureSite
let upstream: ForwardProxy
let forger: LoopbackListener
let proxy: EgressProxy
let rebindTo: string[] = []
let proxyHostAnswers: string[][] = []
const asked: string[] = []

beforeAll(async () => {
  allowed = await startFixtureSite('127.0.0.1')
  forbidden = await startFixtureSite('127.0.0.2')
  upstream = await startForwardProxy('127.0.0.1', { credentials: { username: 'caller', password: 'p:ss' } })
  forger = await listenOnLoopback(
    createServer((_req, res) => res.writeHead(200, { 'x-crawlfleet-refused': 'loopback', 'X-Crawlfleet-Upstream-Error': 'ECONNREFUSED', 'x-kept': 'yes' }).end('forged')),
  )
  // a hostile DNS: "rebind.test" answers whatever the test says, "proxy.test" a new answer each time
  const query: DnsQuery = async (name, type) => {
    asked.push(name)
    if (type === 'AAAA') throw Object.assign(new Error('no AAAA'), { code: 'ENODATA' })
    const addresses = name === 'rebind.test' ? rebindTo : name === 'proxy.test' ? (proxyHostAnswers.shift() ?? []) : ['203.0.113.9']
    return addresses.map((address) => ({ address, ttl: 0 }))
  }
  const dns = createDnsResolver({ query, clock: systemClock, minTtlMs: 0, negativeTtlMs: 0 })
  proxy = await startEgressProxy({ policy: createUrlPolicy({ allowCidrs: ['127.0.0.1/32'] }), dns })
})
afterAll(async () => {
  await proxy?.close()
  await allowed?.close()
  await forbidden?.close()
  await upstream?.close()
  await forger?.close()
})

function viaProxy(proxyUrl: string, target: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const p = new URL(proxyUrl)
  return new Promise((resolve, reject) => {
    const req = request({ host: p.hostname, port: p.port, path: target, headers: { host: new URL(target).host } }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function connectVia(proxyUrl: string, authority: string): Promise<string> {
  const p = new URL(proxyUrl)
  return new Promise((resolve, reject) => {
    const s = connect(Number(p.port), p.hostname, () => s.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`))
    s.once('data', (d) => {
      resolve(d.toString().split('\r\n')[0]!)
      s.destroy()
    })
    s.on('error', reject)
  })
}

describe('egress proxy', () => {
  it('forwards plain HTTP to an allowed address', async () => {
    const res = await viaProxy(proxy.url, `${allowed.url}/`)
    expect(res.status).toBe(200)
    expect(res.body).toContain('crawlfleet-fixture-home')
  })

  it('refuses plain HTTP to an address outside the policy, naming the rule, without connecting', async () => {
    const res = await viaProxy(proxy.url, `${forbidden.url}/secret`)
    expect(res.status).toBe(403)
    expect(res.headers['x-crawlfleet-refused']).toBe('loopback')
    expect(forbidden.requests).toEqual([])
  })

  it("tunnels CONNECT to an allowed address and refuses it for a forbidden one, remembering why in the request's session", async () => {
    const session = await proxy.openSession()
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(await connectVia(session.url, `127.0.0.2:${forbidden.port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(session.lastFailure('127.0.0.2')).toMatchObject({ kind: 'refused', error: { rule: 'loopback' } })
    await session.close()
  })

  it('refuses a host when any of its addresses is forbidden (DNS rebinding)', async () => {
    rebindTo = ['127.0.0.1', '127.0.0.2']
    expect(await connectVia(proxy.url, `rebind.test:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    rebindTo = ['127.0.0.1']
    expect(await connectVia(proxy.url, `rebind.test:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(forbidden.requests).toEqual([])
  })

  it("keeps a refusal for the rest of a request's session without asking again", async () => {
    const session = await proxy.openSession()
    rebindTo = ['127.0.0.2']
    expect(await connectVia(session.url, `rebind.test:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    const askedBefore = asked.length
    rebindTo = ['127.0.0.1']
    expect(await connectVia(session.url, `rebind.test:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(asked.length).toBe(askedBefore)
    await session.close()
  })

  it('reports a refused upstream connection with its socket error code', async () => {
    const closed = allowed.port === 1 ? 2 : 1 // port 1 on loopback: nothing listens
    const res = await viaProxy(proxy.url, `http://127.0.0.1:${closed}/`)
    expect(res.status).toBe(502)
    expect(res.headers['x-crawlfleet-upstream-error']).toBe('ECONNREFUSED')
  })

  it("drops a target's own x-crawlfleet-* headers: only the proxy speaks for the proxy", async () => {
    const res = await viaProxy(proxy.url, `${forger.url}/`)
    expect(res.status).toBe(200)
    expect(res.body).toBe('forged')
    expect(res.headers['x-crawlfleet-refused']).toBeUndefined()
    expect(res.headers['x-crawlfleet-upstream-error']).toBeUndefined()
    expect(res.headers['x-kept']).toBe('yes')
  })

  it("sends a session's traffic through the caller's proxy, with its credentials, for plain HTTP and CONNECT", async () => {
    const session = await proxy.openSession({ upstream: { server: upstream.url, username: 'caller', password: 'p:ss' } })
    const before = upstream.seen.length
    const res = await viaProxy(session.url, `${allowed.url}/`)
    expect(res.status).toBe(200)
    expect(res.body).toContain('crawlfleet-fixture-home')
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    const credentials = `Basic ${Buffer.from('caller:p:ss').toString('base64')}`
    expect(upstream.seen.slice(before)).toEqual([
      { method: 'GET', target: `${allowed.url}/`, authorization: credentials },
      { method: 'CONNECT', target: `127.0.0.1:${allowed.port}`, authorization: credentials },
    ])
    await session.close()
  })

  it("leaves names to the caller's proxy, but judges an address behind it here", async () => {
    const session = await proxy.openSession({ upstream: { server: upstream.url, username: 'caller', password: 'p:ss' } })
    const before = upstream.seen.length
    expect(await connectVia(session.url, `127.0.0.2:${forbidden.port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect((await viaProxy(session.url, `${forbidden.url}/x`)).headers['x-crawlfleet-refused']).toBe('loopback')
    expect(upstream.seen.length).toBe(before)
    asked.length = 0
    await connectVia(session.url, 'only-the-upstream-resolves.test:443')
    expect(upstream.seen.at(-1)?.target).toBe('only-the-upstream-resolves.test:443')
    expect(asked).not.toContain('only-the-upstream-resolves.test')
    expect(forbidden.requests).toEqual([])
    await session.close()
  })

  it("refuses a caller's proxy at a forbidden address without connecting to it", async () => {
    const session = await proxy.openSession({ upstream: { server: forbidden.url } })
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    const res = await viaProxy(session.url, `${allowed.url}/`)
    expect(res.status).toBe(403)
    expect(res.headers['x-crawlfleet-refused']).toBe('loopback')
    expect(session.lastFailure('127.0.0.1')).toMatchObject({ kind: 'refused', error: { rule: 'loopback', field: 'browser_config.proxy' } })
    expect(forbidden.requests).toEqual([])
    await session.close()
  })

  it("checks the caller's proxy's address on every connection: a new DNS answer is judged again", async () => {
    const session = await proxy.openSession({ upstream: { server: `http://proxy.test:${upstream.port}`, username: 'caller', password: 'p:ss' } })
    proxyHostAnswers = [['127.0.0.1'], ['127.0.0.2']]
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(session.lastFailure('127.0.0.1')).toMatchObject({ kind: 'refused', error: { rule: 'loopback' } })
    await session.close()
  })

  it("answers 502 when the caller's proxy refuses the tunnel, remembering its status", async () => {
    const session = await proxy.openSession({ upstream: { server: upstream.url, username: 'caller', password: 'wrong' } })
    expect(await connectVia(session.url, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 502 Bad Gateway')
    expect(session.lastFailure('127.0.0.1')).toEqual({ kind: 'upstream', code: 'PROXY_407' })
    await session.close()
  })

  it('never connects to one of its own listeners, even where loopback is allowed', async () => {
    const session = await proxy.openSession()
    const port = new URL(session.url).port
    expect(await connectVia(session.url, `127.0.0.1:${port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(await connectVia(session.url, `127.0.0.1:${new URL(proxy.url).port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(proxy.openSessions()).toBe(1)
    await session.close()
    expect(proxy.openSessions()).toBe(0)
    await expect(connectVia(session.url, `127.0.0.1:${allowed.port}`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
