import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  childProcesses,
  client,
  expectAnsweredWith,
  expectCleanError,
  idle,
  memoryStatus,
  orphanChromium,
  resetPeakRss,
  untilNoneTagged,
  type Client,
} from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// Pages and targets that fight back: no answer, a cut connection, 50 MB of HTML, a script that
// never yields, 100 popups, every kind of dialog, a page that keeps navigating away, a script that
// returns hundreds of MB. Each ends answered (a success or a clear error) with the pool at rest.

const tag = randomUUID()
const MB = 1024 * 1024
let site: FixtureSite
let runner: RunnerProcess
let c: Client

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag })
  c = client(runner.url)
})
afterEach(async () => {
  // every case ends with the pool at rest, nothing orphaned, and the next request served
  await c.until(idle, { what: 'leases back to 0' })
  expect(await orphanChromium(tag, c.pressure)).toEqual([])
  const next = await c.post('/html', { url: `${site.url}/` })
  expect(next.status).toBe(200)
})
afterAll(async () => {
  if (runner) expect(await runner.stop()).toBe(0)
  await site?.close()
  expect(await untilNoneTagged(tag)).toEqual([])
})

const permanentPid = async () => (await c.pressure()).pool.browsers.find((b) => b.tier === 'permanent')!.pid
const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
  const started = Date.now()
  const value = await p
  return [value, Date.now() - started]
}

describe('hostile targets', () => {
  it('a target that never answers: 504 PAGE_TIMEOUT at page_timeout, not later', async () => {
    const [res, ms] = await timed(c.post('/html', { url: `${site.url}/hang`, page_timeout: 1000 }))
    expect(res.status).toBe(504)
    expect((await expectCleanError(res)).error.code).toBe('PAGE_TIMEOUT')
    expect(ms).toBeGreaterThanOrEqual(950)
    expect(ms).toBeLessThan(5000)
  })

  it('a target that closes the connection mid-response: 502 TARGET_FAILED (reset), at once', async () => {
    const [res, ms] = await timed(c.post('/html', { url: `${site.url}/close-mid`, page_timeout: 20_000 }))
    expect(res.status).toBe(502)
    expect(await expectCleanError(res)).toMatchObject({ error: { code: 'TARGET_FAILED', rule: 'reset' } })
    expect(ms).toBeLessThan(10_000)
  })

  it('a 50 MB page is answered in full, and the runner peak RSS grows by a bounded multiple of the page', async () => {
    const pageBytes = 50 * MB
    const canReset = await resetPeakRss(runner.pid)
    const before = await memoryStatus(runner.pid)
    const res = await c.post('/html', { url: `${site.url}/big?mb=50`, page_timeout: 60_000 })
    expect(res.status).toBe(200)
    const text = await res.text()
    const after = await memoryStatus(runner.pid)
    expect(text.length).toBeGreaterThan(50_000_000)
    expect(text).toContain('big-page')
    const baseline = canReset ? before.rssBytes : before.peakRssBytes
    const growth = after.peakRssBytes - baseline
    console.info(`50 MB page: runner RSS ${Math.round(before.rssBytes / MB)} MB before, peak ${Math.round(after.peakRssBytes / MB)} MB (+${Math.round(growth / MB)} MB, ${(growth / pageBytes).toFixed(1)}× the page)`)
    // a few copies of the page (the CDP message, the string, the JSON answer), never unbounded
    expect(growth).toBeLessThan(10 * pageBytes)
    expect(after.peakRssBytes).toBeLessThan(1536 * MB)
  }, 90_000)

  it('a page with an endless script loop: 504 within page_timeout, and the same browser serves the next request', async () => {
    const pid = await permanentPid()
    const crashesBefore = (await c.pressure()).counters.crashes
    const [res, ms] = await timed(c.post('/html', { url: `${site.url}/endless-loop.html`, page_timeout: 1500 }))
    expect(res.status).toBe(504)
    expect((await expectCleanError(res)).error.code).toBe('PAGE_TIMEOUT')
    expect(ms).toBeLessThan(6000)

    // a script that never yields, run by /execute_js on a page that loaded fine
    const [js, jsMs] = await timed(c.post('/execute_js', { url: `${site.url}/`, scripts: ['for (;;) {}'], page_timeout: 1500 }))
    expect(js.status).toBe(504)
    expect((await expectCleanError(js)).error.code).toBe('PAGE_TIMEOUT')
    expect(jsMs).toBeLessThan(6000)

    const next = await c.post('/html', { url: `${site.url}/about.html` })
    expect(next.status).toBe(200)
    expect(await permanentPid()).toBe(pid)
    expect((await c.pressure()).counters.crashes).toBe(crashesBefore)
  })

  it('a page that opens 100 popups: answered, and no renderer it started outlives the request', async () => {
    const pid = await permanentPid()
    const before = (await childProcesses(pid, '--type=renderer')).length
    const [res, ms] = await timed(c.post('/html', { url: `${site.url}/popups.html`, page_timeout: 20_000 }))
    expect(res.status).toBe(200)
    expect(((await res.json()) as { html: string }).html).toContain('popups-page')
    expect(ms).toBeLessThan(20_000)
    // popups are not opened (the headless shell) or closed as they open, and with the request's context; a new warm spare may add one renderer
    const end = Date.now() + 10_000
    let renderers = await childProcesses(pid, '--type=renderer')
    while (renderers.length > before + 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100))
      renderers = await childProcesses(pid, '--type=renderer')
    }
    expect(renderers.length).toBeLessThanOrEqual(before + 1)
  })

  it('alert, confirm, prompt and print dialogs are dismissed: the page goes on and every endpoint answers', async () => {
    const js = await c.post('/execute_js', {
      url: `${site.url}/dialogs.html`,
      scripts: ['alert("a"); const ok = confirm("b"); const name = prompt("c"); print(); return ["after-dialogs", ok, name]'],
      page_timeout: 10_000,
    })
    expect(js.status).toBe(200)
    const body = (await js.json()) as { js_execution_result: { results: unknown[] }; html: string }
    expect(body.js_execution_result.results).toEqual([['after-dialogs', false, null]]) // dismissed: confirm false, prompt null
    expect(body.html).toContain('dialogs-page')

    const pdf = await c.post('/pdf', { url: `${site.url}/dialogs.html`, page_timeout: 10_000 })
    expect(pdf.status).toBe(200)
    expect(Buffer.from(((await pdf.json()) as { pdf: string }).pdf, 'base64').subarray(0, 5).toString()).toBe('%PDF-')
    const shot = await c.post('/screenshot', { url: `${site.url}/dialogs.html`, page_timeout: 10_000 })
    expect(shot.status).toBe(200)
  })

  it('a page that navigates itself away every 20 ms: /html, /md and /execute_js answer 200; /screenshot answers within page_timeout', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await c.post('/html', { url: `${site.url}/navigate-away?i=${i}` })
      expect(res.status, `round ${i}`).toBe(200)
      expect(((await res.json()) as { html: string }).html).toContain('<h1>away</h1>')
    }
    const md = await c.post('/md', { url: `${site.url}/navigate-away`, f: 'raw' })
    expect(md.status).toBe(200)
    expect(((await md.json()) as { markdown: string }).markdown).toContain('away')

    // the script itself sends the page away; its result is an error entry, the answer still a 200
    const js = await c.post('/execute_js', { url: `${site.url}/navigate-away`, scripts: ['location.href = "/about.html"', 'document.title'] })
    expect(js.status).toBe(200)

    // Chromium produces no frame for a page that never stays: a clear 504, at page_timeout
    const [shot, ms] = await timed(c.post('/screenshot', { url: `${site.url}/navigate-away`, page_timeout: 1500 }))
    await expectAnsweredWith(shot, { 504: ['PAGE_TIMEOUT'] }, 'screenshot of a page that keeps navigating')
    expect(ms).toBeLessThan(8000)
    const [idleWait, idleMs] = await timed(c.post('/html', { url: `${site.url}/navigate-away`, wait_until: 'networkidle', page_timeout: 1500 }))
    await expectAnsweredWith(idleWait, { 504: ['PAGE_TIMEOUT'] }, 'networkidle on a page that keeps navigating')
    expect(idleMs).toBeLessThan(8000)
  }, 60_000)

  it('scripts whose results cannot be sent (30 MB, BigInt, cycles) get error entries, and the answer stays small', async () => {
    const res = await c.post('/execute_js', {
      url: `${site.url}/`,
      scripts: ["'x'.repeat(3e7)", '[1n, 2n]', '(() => { const o = {}; o.self = o; return o })()', 'document.title'],
      page_timeout: 30_000,
    })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text.length).toBeLessThan(20 * MB)
    const { js_execution_result: r } = JSON.parse(text) as { js_execution_result: { success: boolean; results: unknown[] } }
    expect(r.success).toBe(false)
    expect(r.results[0]).toMatchObject({ error: expect.stringMatching(/larger than/) })
    expect(r.results[1]).toEqual(['1', '2'])
    expect(r.results[2]).toMatchObject({ error: expect.stringMatching(/JSON/) })
    expect(r.results[3]).toBe('Crawlfleet fixture home')
  }, 60_000)
})
