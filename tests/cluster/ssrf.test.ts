import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts'
import { CLUSTER_STARTUP_TIMEOUT_MS, startCluster, startRecorder, type Cluster, type Recorder } from './cluster.ts'

// The SSRF corpus through the whole stack. Only the fixture site (127.0.0.1) is allowed; two
// loopback listeners outside the allow list (127.0.0.2 and ::1) record every connection, and the
// test ends by proving that none ever reached them.

let cluster: Cluster
let v4: Recorder
let v6: Recorder
let upstream: ForwardProxy

beforeAll(async () => {
  v4 = await startRecorder('127.0.0.2')
  v6 = await startRecorder('::1')
  upstream = await startForwardProxy('127.0.0.1')
  cluster = await startCluster({ runners: 3, allowCidrs: '127.0.0.1/32' })
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await cluster?.stop()
  await v4?.close()
  await v6?.close()
  await upstream?.close()
})

const spellings = () => [
  `http://127.0.0.2:${v4.port}/a`,
  `http://2130706434:${v4.port}/b`,
  `http://0177.0.0.2:${v4.port}/c`,
  `http://0x7f.0.0.2:${v4.port}/d`,
  `http://0x7f000002:${v4.port}/e`,
  `http://127.0.2:${v4.port}/f`,
  `http://127.0.0.2.:${v4.port}/g`,
  `http://%31%32%37.0.0.2:${v4.port}/h`,
  `http://[::ffff:127.0.0.2]:${v4.port}/i`,
  `http://[::ffff:7f00:2]:${v4.port}/j`,
  `http://127.0.0.1@127.0.0.2:${v4.port}/k`,
  `http://[::1]:${v6.port}/l`,
  `http://[0:0:0:0:0:0:0:1]:${v6.port}/m`,
  `http://localhost:${v6.port}/n`,
]

describe('cluster: SSRF corpus', () => {
  it('refuses every spelling of a loopback address outside the allow list at the edge', async () => {
    for (const url of spellings()) {
      const res = await cluster.post('/html', { url })
      expect(res.status, url).toBe(403)
      expect(await res.json(), url).toMatchObject({ success: false, error: { code: 'URL_REFUSED', rule: 'loopback', field: 'url' } })
    }
  })

  it('refuses file:, chrome:, view-source:, data:, javascript: and ftp: URLs, naming the scheme rule', async () => {
    const urls = ['file:///etc/passwd', 'chrome://version', `view-source:http://127.0.0.2:${v4.port}/`, 'data:text/html,<h1>hi</h1>', 'javascript:alert(1)', `ftp://127.0.0.2:${v4.port}/`]
    for (const url of urls) {
      const res = await cluster.post('/screenshot', { url })
      expect(res.status, url).toBe(403)
      expect(await res.json(), url).toMatchObject({ error: { code: 'URL_REFUSED', rule: 'scheme' } })
    }
  })

  it('names the refused index in a crawl', async () => {
    const res = await cluster.post('/crawl', { urls: [`${cluster.site.url}/`, `http://0x7f.0.0.2:${v4.port}/`] })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'URL_REFUSED', field: 'urls.1' } })
  })

  it('does not follow a redirect from the allowed fixture to a private address', async () => {
    const res = await cluster.post('/html', { url: `${cluster.site.url}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${v4.port}/redirected`)}` })
    const body = (await res.json()) as { success: boolean; html?: string; error?: { code: string } }
    expect(cluster.site.requests.some((p) => p.startsWith('/redirect'))).toBe(true)
    expect(res.status, JSON.stringify(body)).toBe(403)
    expect(body).toMatchObject({ success: false, error: { code: 'URL_REFUSED', rule: 'loopback' } })
  })

  it("refuses a caller's bypass list at the edge, naming the field, for every endpoint", async () => {
    const url = `${cluster.site.url}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${v4.port}/bypassed`)}`
    const browser_config = { proxy: { server: upstream.url, bypass: '127.0.0.2,localhost' } }
    for (const [path, body] of [['/html', { url, browser_config }], ['/md', { url, browser_config }], ['/crawl', { urls: [url], browser_config }]] as const) {
      const res = await cluster.post(path, body)
      expect(res.status, path).toBe(400)
      expect(await res.json(), path).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'browser_config.proxy.bypass' } })
    }
  })

  it("sends a caller's proxy traffic through the egress proxy: a redirect to a private address behind it is refused", async () => {
    const url = `${cluster.site.url}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${v4.port}/via-proxy`)}`
    const res = await cluster.post('/html', { url, browser_config: { proxy_config: { type: 'ProxyConfig', params: { server: upstream.url } } } })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'URL_REFUSED', rule: 'loopback' } })
    expect(upstream.seen.map((s) => s.target)).toContain(url) // the page itself went through the caller's proxy
    expect(upstream.seen.filter((s) => s.target.startsWith('http://127.0.0.2') || s.target.startsWith('127.0.0.2'))).toEqual([])
  })

  it('blocks a page script that fetches a private address', async () => {
    const target = `http://127.0.0.2:${v4.port}/fetched`
    const res = await cluster.post('/execute_js', {
      url: `${cluster.site.url}/fetch-to?target=${encodeURIComponent(target)}`,
      // resolves when the page's own fetch has settled (its text leaves "pending")
      scripts: [`new Promise((resolve) => { const t = setInterval(() => { const v = document.getElementById('out').textContent; if (v !== 'pending') { clearInterval(t); resolve(v) } }, 10) })`],
    })
    const body = (await res.json()) as { js_execution_result?: { results: unknown[] } }
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(String(body.js_execution_result?.results[0])).toMatch(/^blocked:/)
  })

  it('blocks an image from a private IPv6 address', async () => {
    const res = await cluster.post('/html', { url: `${cluster.site.url}/img-to?target=${encodeURIComponent(`http://[::1]:${v6.port}/x.png`)}` })
    expect(res.status).toBe(200)
    await res.body?.cancel()
  })

  it('let nothing reach the listeners outside the allow list', () => {
    expect(v4.requests).toEqual([])
    expect(v6.requests).toEqual([])
    expect(v4.connections()).toBe(0)
    expect(v6.connections()).toBe(0)
  })
})
