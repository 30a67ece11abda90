import { request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEgressProxy, type EgressProxy } from '../../runner/egress/egress-proxy.ts'
import { createUrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'

// The proxy every browser's traffic goes through: it resolves, checks and connects to the
// address it checked. Two listeners: one inside the allow list, one outside it.

let allowed: FixtureSite
let forbidden: FixtureSite
let proxy: EgressProxy
let resolved: string[] = []

beforeAll(async () => {
  allowed = await startFixtureSite('127.0.0.1')
  forbidden = await startFixtureSite('127.0.0.2')
  const policy = createUrlPolicy({
    allowCidrs: ['127.0.0.1/32'],
    // "rebind.test" answers with whatever the test says, like a hostile DNS server
    resolve: async (host) => (host === 'rebind.test' ? resolved : ['203.0.113.9']),
  })
  proxy = await startEgressProxy((host) => policy.resolveHost(host))
})
afterAll(async () => {
  await proxy?.close()
  await allowed?.close()
  await forbidden?.close()
})

function viaProxy(target: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const p = new URL(proxy.url)
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

function connectVia(authority: string): Promise<string> {
  const p = new URL(proxy.url)
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
    const res = await viaProxy(`${allowed.url}/`)
    expect(res.status).toBe(200)
    expect(res.body).toContain('crawlfleet-fixture-home')
  })

  it('refuses plain HTTP to an address outside the policy, naming the rule, without connecting', async () => {
    const res = await viaProxy(`${forbidden.url}/secret`)
    expect(res.status).toBe(403)
    expect(res.headers['x-crawlfleet-refused']).toBe('loopback')
    expect(forbidden.requests).toEqual([])
  })

  it('tunnels CONNECT to an allowed address and refuses it for a forbidden one', async () => {
    expect(await connectVia(`127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(await connectVia(`127.0.0.2:${forbidden.port}`)).toBe('HTTP/1.1 403 Forbidden')
    expect(proxy.lastFailure('127.0.0.2')).toMatchObject({ kind: 'refused' })
  })

  it('refuses a host when any of its addresses is forbidden (DNS rebinding)', async () => {
    resolved = ['127.0.0.1', '127.0.0.2']
    expect(await connectVia(`rebind.test:${allowed.port}`)).toBe('HTTP/1.1 403 Forbidden')
    resolved = ['127.0.0.1']
    expect(await connectVia(`rebind.test:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(forbidden.requests).toEqual([])
  })

  it('reports a refused upstream connection with its socket error code', async () => {
    const closed = allowed.port === 1 ? 2 : 1 // port 1 on loopback: nothing listens
    const res = await viaProxy(`http://127.0.0.1:${closed}/`)
    expect(res.status).toBe(502)
    expect(res.headers['x-crawlfleet-upstream-error']).toBe('ECONNREFUSED')
  })
})
