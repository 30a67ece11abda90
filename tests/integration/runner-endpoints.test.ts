import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { client, idle } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { freePort, startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// One real runner process with real Chromium against the local fixture site.

let site: FixtureSite
let runner: RunnerProcess

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess()
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

const pressure = async () => (await (await fetch(`${runner.url}/pressure`)).json()) as {
  pool: { permanent: number; hot: number; cold: number; leased: number; browsers: { tier: string; signature: string }[] }
  counters: { hits: number; misses: number; launches: number }
}

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

describe('runner endpoints against the fixture site', () => {
  it('POST /html returns the rendered page (scripts ran) from the permanent browser', async () => {
    const before = await pressure()
    const res = await post('/html', { url: `${site.url}/` })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe(runner.id)
    const body = (await res.json()) as { success: boolean; html: string; status_code: number; url: string }
    expect(body.success).toBe(true)
    expect(body.status_code).toBe(200)
    expect(body.url).toBe(`${site.url}/`)
    expect(body.html).toContain('crawlfleet-fixture-home')
    expect(body.html).toContain('javascript-ran')
    const after = await pressure()
    expect(after.pool.permanent).toBe(1)
    expect(after.pool.cold + after.pool.hot).toBe(0)
    expect(after.counters.launches).toBe(before.counters.launches)
    expect(after.counters.hits).toBeGreaterThan(before.counters.hits)
    // the context closes after the answer, and then the lease comes back
    await client(runner.url).until(idle, { what: 'the lease back' })
  })

  it('POST /screenshot returns a PNG of the viewport, or the full page, as base64 or raw', async () => {
    const shot = await post('/screenshot', { url: `${site.url}/tall.html`, viewport: { width: 800, height: 600 } })
    expect(shot.status).toBe(200)
    const { screenshot } = (await shot.json()) as { screenshot: string }
    expect(pngSize(Buffer.from(screenshot, 'base64'))).toEqual({ width: 800, height: 600 })

    const full = await post('/screenshot', { url: `${site.url}/tall.html`, viewport: { width: 800, height: 600 }, full_page: true }, { accept: 'image/png' })
    expect(full.headers.get('content-type')).toBe('image/png')
    const size = pngSize(Buffer.from(await full.arrayBuffer()))
    expect(size.width).toBe(800)
    expect(size.height).toBeGreaterThanOrEqual(3000)
  })

  it('POST /pdf returns a PDF, as base64 or raw', async () => {
    const res = await post('/pdf', { url: `${site.url}/` })
    expect(res.status).toBe(200)
    const { pdf } = (await res.json()) as { pdf: string }
    expect(Buffer.from(pdf, 'base64').subarray(0, 5).toString()).toBe('%PDF-')

    const raw = await post('/pdf', { url: `${site.url}/` }, { accept: 'application/pdf' })
    expect(raw.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await raw.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('POST /execute_js runs expressions and function bodies in order', async () => {
    const res = await post('/execute_js', {
      url: `${site.url}/`,
      scripts: ['document.title', 'return document.querySelectorAll("a").length', 'document.body.dataset.touched = "yes"; return 6 * 7', 'throw new Error("boom")'],
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { js_execution_result: { success: boolean; results: unknown[] }; html: string }
    expect(body.js_execution_result.results.slice(0, 3)).toEqual(['Crawlfleet fixture home', 1, 42])
    expect(body.js_execution_result.results[3]).toEqual({ error: 'Error: boom' }) // the page's own error, not Playwright's call around it
    expect(body.js_execution_result.success).toBe(false)
    expect(body.html).toContain('data-touched="yes"')
  })

  it('context options (viewport, user agent, locale) share the permanent browser', async () => {
    const before = await pressure()
    const variants = [
      { viewport: { width: 400, height: 300 } },
      { viewport: { width: 1024, height: 768 }, user_agent: 'crawlfleet-test-agent' },
      { browser_config: { viewport_width: 640, viewport_height: 480 }, locale: 'de-DE' },
      { java_script_enabled: false },
    ]
    const bodies = await Promise.all(
      variants.map(async (v) => ((await (await post('/html', { url: `${site.url}/viewport.html`, ...v })).json()) as { html: string }).html),
    )
    expect(bodies[0]).toContain('400x300')
    expect(bodies[1]).toContain('1024x768 crawlfleet-test-agent')
    expect(bodies[2]).toMatch(/640x480 .* de-DE/)
    expect(bodies[3]).not.toMatch(/\d+x\d+/) // the script did not run
    const after = await pressure()
    expect(after.counters.launches).toBe(before.counters.launches)
    expect(after.pool.cold + after.pool.hot).toBe(0)
  })

  it('wait_for waits for an element that appears later', async () => {
    const res = await post('/html', { url: `${site.url}/late.html`, wait_for: 'css:#late' })
    expect(((await res.json()) as { html: string }).html).toContain('late-arrival')
  })

  it('reports the target status code, and 502 naming the reason when the target fails', async () => {
    const notFound = (await (await post('/html', { url: `${site.url}/status/404` })).json()) as { status_code: number; html: string }
    expect(notFound.status_code).toBe(404)
    expect(notFound.html).toContain('status-404')

    const closedPort = await freePort()
    const refused = await post('/html', { url: `http://127.0.0.1:${closedPort}/` })
    expect(refused.status).toBe(502)
    expect(await refused.json()).toMatchObject({ error: { code: 'TARGET_FAILED', rule: 'refused' } })

    const cut = await post('/html', { url: `${site.url}/close-mid` })
    expect(cut.status).toBe(502)
    expect(await cut.json()).toMatchObject({ error: { code: 'TARGET_FAILED', rule: 'reset' } })
  })

  it('answers 504 when the page does not finish within page_timeout, and the lease comes back', async () => {
    const res = await post('/html', { url: `${site.url}/hang`, page_timeout: 800 })
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'PAGE_TIMEOUT' } })
    await client(runner.url).until(idle, { what: 'the lease back' })
  })

  it('rejects bad input with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'url'],
      [{ url: `${site.url}/`, wait_until: 'sometime' }, 'wait_until'],
      [{ url: `${site.url}/`, page_timeout: 10_000_000 }, 'page_timeout'],
      [{ url: `${site.url}/`, surprise: 1 }, 'surprise'],
      [{ url: `${site.url}/`, browser_config: { user_data_dir: '/tmp/x' } }, 'browser_config.user_data_dir'],
      [{ url: `${site.url}/`, browser_config: { cdp_url: 'ws://127.0.0.1:9222' } }, 'browser_config.cdp_url'],
      [{ url: `${site.url}/`, browser_config: { extra_args: ['--disable-web-security'] } }, 'browser_config.extra_args.0'],
      [{ url: `${site.url}/`, browser_config: { type: 'BrowserConfig', params: { headless: false } } }, 'browser_config.headless'],
      [{ url: `${site.url}/`, browser_config: { nonsense: true } }, 'browser_config.nonsense'],
    ]
    for (const [body, field] of cases) {
      const res = await post('/html', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(await res.json()).toMatchObject({ success: false, error: { code: 'INVALID_FIELD', field } })
    }
    const notJson = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":' })
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ error: { field: 'body' } })
    const wrongType = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
    expect(wrongType.status).toBe(415)
  })

  it('refuses URLs outside the policy before the browser sees them', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'javascript:alert(1)', 'http://169.254.169.254/latest/meta-data/']) {
      const res = await post('/html', { url })
      expect(res.status, url).toBe(403)
      expect(await res.json()).toMatchObject({ error: { code: 'URL_REFUSED', field: 'url' } })
    }
  })

  it('serves /health, /ready, /pressure and Prometheus /metrics', async () => {
    expect((await fetch(`${runner.url}/health`)).status).toBe(200)
    expect(await (await fetch(`${runner.url}/ready`)).json()).toEqual({ ready: true })
    const p = (await (await fetch(`${runner.url}/pressure`)).json()) as Record<string, unknown>
    expect(p).toMatchObject({ available: true, reason: '', memory: { percent: expect.any(Number) }, plan: { pageSlots: expect.any(Number) } })
    const text = await (await fetch(`${runner.url}/metrics`)).text()
    expect(text).toMatch(/^crawlfleet_browsers_permanent\{[^}]*\} 1$/m)
    expect(text).toMatch(/^crawlfleet_pool_hits_total\{[^}]*\} [1-9]/m)
    expect(text).toMatch(/^crawlfleet_refusals_total\{reason="queue_full"[^}]*\} 0$/m)
    expect(text).toMatch(/^crawlfleet_request_duration_seconds_bucket\{.*route="\/html"/m)
  })
})
