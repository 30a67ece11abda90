import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISABLE_FEATURES_ARG } from '../../runner/browser/chromium-flags.ts'
import { MARKER_ARG_PREFIX } from '../../runner/browser/launcher-playwright.ts'
import { findPidByArg, listProcessTree, readCommandLine } from '../../runner/browser/process-tree.ts'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { listenOnLoopback, type LoopbackListener } from '../../runner/util/listen-loopback.ts'
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts'
import { countConnections, countDatagrams, type CountingListener } from '../helpers/listeners.ts'
import { processesTagged } from '../helpers/processes.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'
import { testChromiumPath, launchTestChromium } from '../helpers/test-chromium.ts'

// One runner process with real Chromium, every connection of which must leave through its egress
// proxy. The allowed origin is 127.0.0.2 (CRAWLFLEET_ALLOW_CIDRS=127.0.0.2/32); listeners on 127.0.0.1
// and ::1 stand for what a page must never reach, and the runner resolves names with a test DNS server
// that answers, lies, or never answers.

const HMAC_SECRET = 'egress-test-hmac-secret'
const LLM_KEY = 'egress-test-llm-key'
const AWS_URI = '/v2/credentials/egress-test'
const TAG = `egress-runner-${process.pid}-${Date.now()}`
const DNS_TIMEOUT_MS = 10_000
const CREDENTIALS = { username: 'caller', password: 'pa$$@word' } // no colon: crawl4ai's host:port:user:pass form cannot carry one
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`

let dns: TestDnsServer
let site: FixtureSite
let pages: LoopbackListener
let upstream: ForwardProxy
let rebindTrap: CountingListener
let secret4: CountingListener
let secret6: CountingListener
let stun4: CountingListener
let stun6: CountingListener
let llm: FakeOpenAi
let runner: RunnerProcess

beforeAll(async () => {
  dns = await startDnsServer((name, _type, asked) => {
    if (name === 'victim.test' || name === 'upstream.test') return { addresses: ['127.0.0.2'] }
    if (/^dead-\d+\.test$/.test(name)) return 'drop'
    // allowed when the runner checks the caller's proxy, forbidden when the egress proxy connects to it
    if (name === 'rebinding-proxy.test') return { addresses: [asked === 0 ? '127.0.0.2' : '127.0.0.1'], ttl: 0 }
    return 'nxdomain'
  })
  site = await startFixtureSite('127.0.0.2')
  pages = await startTestPages('127.0.0.2')
  upstream = await startForwardProxy('127.0.0.2', { credentials: CREDENTIALS })
  rebindTrap = await countConnections('127.0.0.1', upstream.port)
  secret4 = await countConnections('127.0.0.1')
  secret6 = await countConnections('::1')
  stun4 = await countDatagrams('127.0.0.1')
  stun6 = await countDatagrams('::1')
  llm = await startFakeOpenAi()
  runner = await startRunnerProcess({
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.2/32',
    CRAWLFLEET_HMAC_SECRET: HMAC_SECRET,
    CRAWLFLEET_DNS_SERVERS: dns.server,
    CRAWLFLEET_DNS_TIMEOUT_MS: String(DNS_TIMEOUT_MS),
    CRAWLFLEET_DNS_TRIES: '1',
    CRAWLFLEET_DNS_MIN_TTL_SEC: '0',
    CRAWLFLEET_PAGES_PER_CORE: '2',
    CRAWLFLEET_LLM_BASE_URL: llm.baseUrl,
    CRAWLFLEET_LLM_MODEL: 'test-model',
    // what the browsers must not inherit
    CRAWLFLEET_LLM_API_KEY: LLM_KEY,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: AWS_URI,
    CRAWLFLEET_TEST_TAG: TAG,
  })
})
afterAll(async () => {
  await runner?.stop()
  for (const l of [site, pages, upstream, rebindTrap, secret4, secret6, stun4, stun6, dns, llm]) await l?.close()
})

async function post(path: string, body: unknown): Promise<{ status: number; body: any; ms: number }> {
  const text = JSON.stringify(body)
  const started = performance.now()
  const res = await fetch(`${runner.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signRequest(HMAC_SECRET, 'POST', path, Date.now(), text) },
    body: text,
  })
  return { status: res.status, body: await res.json(), ms: performance.now() - started }
}

const secretUrl = () => `http://127.0.0.1:${secret4.port}/secret`
const redirectTo = (target: string, hops = 1): string => (hops === 0 ? target : redirectTo(`${site.url}/redirect?to=${encodeURIComponent(target)}`, hops - 1))

describe("a caller's proxy is the egress proxy's upstream", () => {
  const BYPASS_SPELLINGS = ['localhost', '127.0.0.1', '*,localhost', '<-loopback>', '<loopback>', '::1', '[::1]', '*', '.local', '127.0.0.0/8', ' localhost ']

  it('refuses every bypass spelling, in every form of the proxy, on /html, /md and /crawl, before any page', async () => {
    const server = upstream.url
    const forms = (bypass: string): [unknown, string][] => [
      [{ proxy: { server, bypass } }, 'browser_config.proxy.bypass'],
      [{ proxy_config: { server, bypass } }, 'browser_config.proxy_config.bypass'],
      [{ proxy_config: { type: 'ProxyConfig', params: { server, bypass } } }, 'browser_config.proxy_config.bypass'],
      [{ type: 'BrowserConfig', params: { proxy: { server, username: 'u', password: 'p', bypass } } }, 'browser_config.proxy.bypass'],
    ]
    const url = redirectTo(secretUrl())
    for (const bypass of BYPASS_SPELLINGS) {
      for (const [browser_config, field] of forms(bypass)) {
        for (const [path, body] of [['/html', { url, browser_config }], ['/md', { url, browser_config }], ['/crawl', { urls: [url], browser_config }]] as const) {
          const res = await post(path, body)
          expect(res.status, `${path} ${JSON.stringify(browser_config)}`).toBe(400)
          expect(res.body.error).toMatchObject({ code: 'INVALID_FIELD', field })
        }
      }
    }
    expect(site.requests.filter((p) => p.startsWith('/redirect'))).toEqual([])
    expect(secret4.count()).toBe(0)
  })

  it('sends the page through the caller\'s proxy with its credentials, given as a string, an object, proxy_config or crawl4ai\'s typed form', async () => {
    const { port } = upstream
    const forms: unknown[] = [
      { proxy: `http://${encodeURIComponent(CREDENTIALS.username)}:${encodeURIComponent(CREDENTIALS.password)}@127.0.0.2:${port}` },
      { proxy: { server: `http://127.0.0.2:${port}`, ...CREDENTIALS } },
      { proxy_config: { server: `127.0.0.2:${port}`, ...CREDENTIALS } },
      { proxy_config: `127.0.0.2:${port}:${CREDENTIALS.username}:${CREDENTIALS.password}` },
      { type: 'BrowserConfig', params: { proxy_config: { type: 'ProxyConfig', params: { server: `http://upstream.test:${port}`, ...CREDENTIALS, ip: null } } } },
    ]
    for (const [i, browser_config] of forms.entries()) {
      const before = upstream.seen.length
      const res = await post('/html', { url: `${site.url}/?form=${i}`, browser_config })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.html).toContain('crawlfleet-fixture-home')
      expect(upstream.seen.slice(before)).toContainEqual({ method: 'GET', target: `${site.url}/?form=${i}`, authorization: BASIC })
    }
  })

  it("refuses a redirect to a private address behind the caller's proxy (403 loopback), on /html, /md and /crawl, reaching neither", async () => {
    const browser_config = { proxy: { server: upstream.url, ...CREDENTIALS } }
    for (const target of [secretUrl(), `http://[::1]:${secret6.port}/secret`]) {
      const url = redirectTo(target)
      for (const path of ['/html', '/md']) {
        const res = await post(path, { url, browser_config })
        expect(res.status, `${path} ${target}`).toBe(403)
        expect(res.body.error).toMatchObject({ code: 'URL_REFUSED', rule: 'loopback' })
      }
      const crawl = await post('/crawl', { urls: [url], browser_config })
      expect(crawl.body.results[0]).toMatchObject({ success: false, error_message: expect.stringMatching(/^URL_REFUSED: .*\(rule: loopback\)$/) })
    }
    expect(upstream.seen.some((s) => s.target.includes('/secret'))).toBe(false)
    expect(secret4.count() + secret6.count()).toBe(0)
  })

  it("refuses a caller's proxy at a forbidden address, naming the field, without connecting to it", async () => {
    const res = await post('/html', { url: `${site.url}/`, browser_config: { proxy: `http://127.0.0.1:${secret4.port}` } })
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({ code: 'URL_REFUSED', rule: 'loopback', field: 'browser_config.proxy' })
    expect(secret4.count()).toBe(0)
  })

  it("judges the caller's proxy's address again when connecting: a DNS answer that changes after the check is refused", async () => {
    const res = await post('/html', { url: `${site.url}/?rebind`, browser_config: { proxy: { server: `http://rebinding-proxy.test:${upstream.port}`, ...CREDENTIALS } } })
    expect(res.status, JSON.stringify(res.body)).toBe(403)
    expect(res.body.error).toMatchObject({ code: 'URL_REFUSED', rule: 'loopback' })
    expect(dns.queries.filter((q) => q.name === 'rebinding-proxy.test' && q.type === 'A').length).toBeGreaterThanOrEqual(2)
    expect(rebindTrap.count()).toBe(0)
    expect(site.requests).not.toContain('/?rebind')
  })
})

describe('redirects, fetch and WebSockets', () => {
  const ENDPOINTS: [string, (url: string) => object][] = [
    ['/html', (url) => ({ url })],
    ['/md', (url) => ({ url, f: 'raw' })],
    ['/screenshot', (url) => ({ url })],
    ['/pdf', (url) => ({ url })],
    ['/execute_js', (url) => ({ url, scripts: ['document.title'] })],
    ['/llm', (url) => ({ url, q: 'What is on the page?' })],
  ]

  it.each([
    ['a private address, two hops away', () => redirectTo(secretUrl(), 2), 'loopback'],
    ['file://', () => redirectTo('file:///etc/passwd'), 'scheme'],
    ['data:', () => redirectTo('data:text/html,<h1>x</h1>'), 'scheme'],
    ['chrome://', () => redirectTo('chrome://version'), 'scheme'],
    ['javascript:', () => redirectTo('javascript:alert(1)'), 'scheme'],
  ])('answers a redirect to %s with 403 URL_REFUSED and its rule, on every endpoint', async (_what, url, rule) => {
    for (const [path, body] of ENDPOINTS) {
      const res = await post(path, body(url()))
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(403)
      expect(res.body.error, path).toMatchObject({ code: 'URL_REFUSED', rule })
    }
    const crawl = await post('/crawl', { urls: [url()] })
    expect(crawl.body.results[0]).toMatchObject({ success: false, error_message: expect.stringMatching(new RegExp(`^URL_REFUSED: .*\\(rule: ${rule}\\)$`)) })
    expect(secret4.count()).toBe(0)
    expect(llm.requests).toEqual([]) // /llm stopped at the page, before the model
  })

  it("blocks a page's fetch and WebSockets to private addresses, directly or through a redirect", async () => {
    const poll = `new Promise((resolve) => { const t = setInterval(() => { const v = document.getElementById('out').textContent; if (v !== 'pending') { clearInterval(t); resolve(v) } }, 10) })`
    for (const target of [secretUrl(), redirectTo(secretUrl()), `http://[::1]:${secret6.port}/secret`]) {
      const res = await post('/execute_js', { url: `${site.url}/fetch-to?target=${encodeURIComponent(target)}`, scripts: [poll] })
      expect(res.status).toBe(200)
      expect(String(res.body.js_execution_result.results[0]), target).toMatch(/^blocked:/)
    }
    for (const target of [`ws://127.0.0.1:${secret4.port}/`, `ws://[::1]:${secret6.port}/`]) {
      const res = await post('/execute_js', { url: `${pages.url}/ws?target=${encodeURIComponent(target)}`, scripts: [poll] })
      expect(res.status).toBe(200)
      expect(res.body.js_execution_result.results[0], target).not.toBe('open')
    }
    expect(secret4.count() + secret6.count()).toBe(0)
  })

  it("serves a page whose own answer carries the proxy's x-crawlfleet-refused header: only the proxy speaks for the proxy", async () => {
    const res = await post('/html', { url: `${pages.url}/forged` })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.html).toContain('forged-but-fine')
  })
})

describe('WebRTC', () => {
  it('sends no STUN datagram from a page, where Chromium without the lockdown does', async () => {
    const page = `${pages.url}/webrtc?p4=${stun4.port}&p6=${stun6.port}`
    const res = await post('/execute_js', { url: page, scripts: ['return await window.gathered'] })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.js_execution_result.results[0]).toBe('complete')
    expect(stun4.count() + stun6.count()).toBe(0)

    // the control: the same page in Chromium with the base flags only does send them
    const browser = await launchTestChromium()
    try {
      const raw = await (await browser.newContext()).newPage()
      await raw.goto(page)
      await raw.evaluate('window.gathered')
    } finally {
      await browser.close()
    }
    expect(stun4.count()).toBeGreaterThan(0)
  })
})

describe('DNS', () => {
  it("finishes another caller's request in normal time while a page waits on 50 names that never answer", async () => {
    const deadNames = () => new Set(dns.queries.filter((q) => q.name.startsWith('dead-')).map((q) => q.name))
    const attacker = post('/html', { url: `${pages.url}/dead?n=50` })
    await dns.waitForQueries(3, (name) => name.startsWith('dead-'))
    const victim = await post('/html', { url: `http://victim.test:${site.port}/` })
    expect(victim.status, JSON.stringify(victim.body)).toBe(200)
    expect(victim.body.html).toContain('crawlfleet-fixture-home')
    // done while the attacker's first names were all still unanswered: its 7th name is asked only after one timed out
    expect(deadNames().size).toBeLessThanOrEqual(6)
    const attacked = await attacker
    // the names that went unanswered spent the page's DNS budget; the rest failed at once instead of holding it to page_timeout (504)
    expect(attacked.status, JSON.stringify(attacked.body).slice(0, 300)).toBe(200)
    expect(deadNames().size).toBeLessThan(50)
  })
})

describe('least privilege for Chromium', () => {
  it("gives every Chromium process a minimal environment and one --disable-features, Playwright's list merged with ours, the lockdown after the caller's flags", async () => {
    const res = await post('/html', { url: `${site.url}/`, browser_config: { text_mode: true } }) // a second browser, with a caller's flags
    expect(res.status).toBe(200)
    // the runner's Chromium browsers: tagged, and not the runner or a helper of its own (tsx's esbuild service)
    const tagged = (await processesTagged(TAG)).filter((pid) => pid !== runner.pid)
    const browserPids: number[] = []
    for (const pid of tagged) if ((await readCommandLine(pid)).some((a) => a.startsWith(MARKER_ARG_PREFIX))) browserPids.push(pid)
    expect(browserPids.length).toBeGreaterThanOrEqual(2)
    const chromiumPids = (await Promise.all(browserPids.map((pid) => listProcessTree(pid)))).flat()
    expect(chromiumPids.length).toBeGreaterThan(browserPids.length) // renderers, zygotes… as well
    for (const pid of chromiumPids) {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')
      for (const secret of [HMAC_SECRET, LLM_KEY, AWS_URI, 'CRAWLFLEET_HMAC_SECRET', 'AWS_CONTAINER_CREDENTIALS']) expect(environ, `pid ${pid}`).not.toContain(secret)
    }
    const playwrightOwn = (await rawPlaywrightArgs()).find((a) => a.startsWith('--disable-features='))!.slice('--disable-features='.length).split(',')
    const browsers: string[][] = []
    for (const pid of chromiumPids) {
      const args = await readCommandLine(pid)
      if (args.some((a) => a.startsWith(MARKER_ARG_PREFIX))) browsers.push(args)
    }
    expect(browsers.length).toBeGreaterThanOrEqual(2) // the default one, the text_mode one, and one per caller's proxy tried above
    for (const args of browsers) {
      const disabled = args.filter((a) => a.startsWith('--disable-features='))
      expect(disabled).toEqual([DISABLE_FEATURES_ARG])
      expect(disabled[0]!.slice('--disable-features='.length).split(',')).toEqual(expect.arrayContaining([...playwrightOwn, 'Translate']))
      expect(args).toContain('--force-webrtc-ip-handling-policy=disable_non_proxied_udp')
      expect(args.filter((a) => a.startsWith('--proxy-server='))).toEqual([expect.stringMatching(/^--proxy-server=http:\/\/127\.0\.0\.1:\d+$/)])
      const rules = args.findIndex((a) => a.startsWith('--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'))
      expect(rules).toBeGreaterThan(-1)
      const callerFlag = args.indexOf('--disable-remote-fonts')
      if (callerFlag >= 0) expect(callerFlag).toBeLessThan(rules)
    }
    expect(browsers.some((args) => args.includes('--disable-remote-fonts'))).toBe(true)
  })
})

/** The arguments Playwright itself gives Chromium, read from a browser launched with its defaults. */
async function rawPlaywrightArgs(): Promise<string[]> {
  const marker = `--crawlfleet-raw-probe=${process.pid}`
  const browser = await chromium.launch({ executablePath: testChromiumPath(), args: [marker] })
  try {
    return await readCommandLine((await findPidByArg(marker))!)
  } finally {
    await browser.close()
  }
}

/** Pages the fixture site does not have: WebRTC, a WebSocket, names that never resolve, a forged proxy header. */
async function startTestPages(host: string): Promise<LoopbackListener> {
  const html = (body: string) => `<!doctype html><meta charset="utf-8"><title>egress</title>${body}`
  return listenOnLoopback(
    createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://pages')
      const q = (k: string) => JSON.stringify(url.searchParams.get(k) ?? '')
      res.setHeader('content-type', 'text/html; charset=utf-8')
      switch (url.pathname) {
        case '/webrtc':
          return void res.end(
            html(`<script>
              window.gathered = new Promise((resolve) => {
                const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:' + ${q('p4')} }, { urls: 'stun:[::1]:' + ${q('p6')} }] })
                pc.createDataChannel('probe')
                const timer = setTimeout(() => resolve('gathering did not finish'), 3000)
                pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve('complete') } }
                pc.createOffer().then((offer) => pc.setLocalDescription(offer))
              })
            </script>`),
          )
        case '/ws':
          return void res.end(
            html(`<pre id="out">pending</pre><script>
              const ws = new WebSocket(${q('target')})
              ws.onopen = () => (out.textContent = 'open')
              ws.onerror = () => (out.textContent = 'error')
              ws.onclose = () => { if (out.textContent === 'pending') out.textContent = 'closed' }
            </script>`),
          )
        case '/dead': {
          const n = Number(url.searchParams.get('n') ?? 50)
          return void res.end(html(Array.from({ length: n }, (_, i) => `<img src="http://dead-${i}.test/x.png">`).join('')))
        }
        case '/forged':
          res.setHeader('x-crawlfleet-refused', 'loopback')
          return void res.end(html('<h1>forged-but-fine</h1>'))
      }
      res.statusCode = 404
      res.end(html('not found'))
    }),
    host,
  )
}
