import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { client, expectCleanError, idle, memoryStatus, postOnOwnConnection, resetPeakRss, type Client } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'
import { bodyFor, browserConfig, crawlerConfig, expectNoFault, headerValue, json, refusedWithoutDns, route, ROUTES, validRefusedBody, type PageRoute } from './inputs.ts'

// Bad input straight to a runner: property-based bodies, queries and headers for every page
// route, then the classic hostile payloads (oversized, wrong type, invalid UTF-8, deep nesting,
// huge URL lists, megabyte scripts). Never a 5xx, every 400 names a field, the process stays up.

const HMAC_SECRET = 'fuzz-secret'
const MB = 1024 * 1024
let site: FixtureSite
let runner: RunnerProcess
let signed: RunnerProcess
let c: Client

beforeAll(async () => {
  site = await startFixtureSite()
  ;[runner, signed] = await Promise.all([startRunnerProcess(), startRunnerProcess({ CRAWLFLEET_HMAC_SECRET: HMAC_SECRET })])
  c = client(runner.url)
})
afterAll(async () => {
  // the processes stayed up through everything
  for (const r of [runner, signed]) {
    if (!r) continue
    expect(r.child.exitCode).toBeNull()
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
    expect(await r.stop()).toBe(0)
  }
  await site?.close()
})

/**
 * Every fuzzed request is bounded: an answer (or a stream) that never ends fails the property
 * rather than the test's timeout. A refused URL is answered within the policy's DNS timeout (5 s).
 */
const send = (r: string, body: unknown, headers: Record<string, string> = {}, withinMs = 15_000) =>
  c.post(r, body, { headers, signal: AbortSignal.timeout(withinMs) })
/** properties where a failure may be a hang: report the first counterexample instead of shrinking through more hangs */
const HANGS_POSSIBLE = { endOnFailure: true } as const

describe('fuzzed requests to a runner', () => {
  it('any JSON value as the body of any route: a 4xx naming a field', async () => {
    await fc.assert(
      fc.asyncProperty(route, json, async (r, body) => {
        await expectNoFault(await send(r, body), r, `${r} ${JSON.stringify(body)}`)
      }),
      { numRuns: 150 },
    )
  })

  it("the routes' real field names with values of any type, URLs of any kind: never a 5xx, and the error names the field", async () => {
    await fc.assert(
      fc.asyncProperty(
        route.chain((r) => fc.tuple(fc.constant(r), bodyFor(r))),
        async ([r, body]) => {
          await expectNoFault(await send(r, body), r, `${r} ${JSON.stringify(body)}`, Object.keys(body))
        },
      ),
      { numRuns: 250, ...HANGS_POSSIBLE },
    )
  })

  it('browser_config and crawler_config of every shape (plain, wrapped, forbidden keys, wrong types)', async () => {
    const cases = fc.oneof(
      fc.record({ r: fc.constantFrom<PageRoute>('/html', '/screenshot', '/md'), cfg: fc.record({ browser_config: browserConfig }) }),
      fc.record({ r: fc.constantFrom<PageRoute>('/crawl', '/crawl/stream'), cfg: fc.record({ browser_config: browserConfig, crawler_config: crawlerConfig }, { requiredKeys: [] }) }),
    )
    await fc.assert(
      fc.asyncProperty(cases, async ({ r, cfg }) => {
        const body = { ...validRefusedBody(r), ...cfg }
        const res = await send(r, body)
        await expectNoFault(res, r, `${r} ${JSON.stringify(body)}`)
      }),
      { numRuns: 200, ...HANGS_POSSIBLE },
    )
  })

  it('queries and headers do not change the answer to a valid request: the URL policy still refuses it (403)', async () => {
    const extras = fc.record(
      {
        query: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16, unit: 'binary' })), { maxLength: 3 }),
        accept: headerValue,
        'x-crawlfleet-deadline-ms': fc.oneof(headerValue, fc.double().map(String), fc.integer().map(String)),
        'x-request-id': headerValue,
        authorization: headerValue,
        'x-crawlfleet-hmac': headerValue,
        'x-crawlfleet-timestamp': headerValue,
        'content-type': fc.tuple(fc.constantFrom('application/json', 'Application/JSON', 'application/json '), headerValue).map(([t, p]) => (p ? `${t}; ${p}` : t)),
      },
      { requiredKeys: ['query'] },
    )
    await fc.assert(
      fc.asyncProperty(route, extras, async (r, { query, ...headers }) => {
        const qs = new URLSearchParams(query).toString()
        const res = await fetch(`${runner.url}${r}${qs ? `?${qs}` : ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(validRefusedBody(r)),
        })
        const what = `${r}?${qs} ${JSON.stringify(headers)}`
        // parameters the media-type parser cannot read make the body's type unknown: 415, never worse
        if (res.status === 415 && headers['content-type']?.includes(';')) return void (await expectCleanError(res, what))
        if (r.startsWith('/crawl')) return expectNoFault(res, r, what) // refused URLs are reported per URL
        expect(res.status, what).toBe(403)
        expect((await expectCleanError(res, what)).error).toMatchObject({ code: 'URL_REFUSED', field: 'url' })
      }),
      { numRuns: 150 },
    )
  })

  it('a streamed crawl of refused URLs ends: one line per URL, then {"status":"completed"}', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(refusedWithoutDns, { minLength: 1, maxLength: 6 }), async (urls) => {
        const res = await send('/crawl/stream', { urls }, {}, 5000)
        expect(res.status).toBe(200)
        const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { url?: string; success?: boolean; status?: string })
        expect(lines.at(-1)).toEqual({ status: 'completed' })
        expect(lines.slice(0, -1).map((l) => l.url).sort()).toEqual([...urls].sort())
      }),
      { numRuns: 30, ...HANGS_POSSIBLE },
    )
  })

  it('GET /llm/{url} with any path: never a 5xx', async () => {
    // no digits and no brackets: a path can never spell an IP address the policy would let through
    const piece = fc.oneof(
      fc.constantFrom('%', '%E0', '%A4%A', '%ZZ', '%2F', '%25', '%C3%A9', '/', '..', ':', '?', '#', '.invalid', 'x', 'http:', 'https://', 'file:', 'javascript:'),
      fc.stringMatching(/^[a-z.:/?&=_~-]{1,8}$/),
    )
    const path = fc.array(piece, { maxLength: 6 }).map((ps) => `x${ps.join('')}`)
    await fc.assert(
      fc.asyncProperty(path, fc.option(headerValue, { nil: undefined }), async (p, q) => {
        const res = await fetch(`${runner.url}/llm/${p}${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}`, { signal: AbortSignal.timeout(15_000) })
        const what = `GET /llm/${p} q=${q}`
        expect(res.status, what).toBeGreaterThanOrEqual(400)
        expect(res.status, what).toBeLessThan(500)
        await expectCleanError(res, what)
      }),
      { numRuns: 100 },
    )
  })

  it('context options that pass the schema but not Chromium (time zones, locales, headers, user agents): 200 or 400 naming the field', async () => {
    const unicode = (max: number) => fc.string({ minLength: 1, maxLength: max, unit: 'binary' })
    const options = fc.record(
      {
        viewport: fc.record({ width: fc.integer({ min: 100, max: 1200 }), height: fc.integer({ min: 100, max: 1200 }) }),
        user_agent: fc.oneof(unicode(40), fc.constant('crawlfleet-fuzz/1.0')),
        locale: fc.oneof(fc.string({ minLength: 2, maxLength: 12 }), fc.constantFrom('en-US', 'de-DE', 'ja')),
        timezone_id: fc.oneof(unicode(20), fc.constantFrom('Europe/Berlin', 'UTC', 'America/New_York')),
        headers: fc.dictionary(
          fc.oneof(fc.string({ minLength: 1, maxLength: 16 }), fc.constantFrom('x-fuzz', 'Host', 'Cookie', 'Content-Length', 'Connection', 'Proxy-Authorization', 'Transfer-Encoding', 'Referer')),
          fc.oneof(unicode(30), fc.constantFrom('close', '1', 'a\u0000b', '\u007f')),
          { maxKeys: 2 },
        ),
        java_script_enabled: fc.boolean(),
        wait_until: fc.constantFrom('load', 'domcontentloaded', 'commit'),
        browser_config: fc.record(
          { device_scale_factor: fc.double({ min: 0.25, max: 4, noNaN: true }), ignore_https_errors: fc.boolean(), viewport_width: fc.integer({ min: 100, max: 1200 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        const body = { url: `${site.url}/about.html`, page_timeout: 10_000, ...o }
        const res = await send('/html', body, {}, 20_000)
        const what = `/html ${JSON.stringify(o)}`
        if (res.status === 200) return void expect(((await res.json()) as { html: string }).html, what).toContain('<h1')
        expect(res.status, what).toBe(400)
        const field = (await expectCleanError(res, what)).error.field!
        expect(Object.keys(o), `${what}: ${field}`).toContain(field.split('.')[0])
      }),
      { numRuns: 40 },
    )
    // every page closes after its answer: the pool comes to rest
    await c.until(idle, { what: 'the pool at rest' })
  }, 60_000)

  it('any wait_for (CSS, js:, garbage): 200, 400 naming wait_for, or 504 at its page_timeout', async () => {
    const waitFor = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.string({ minLength: 1, maxLength: 30 }).map((s) => `js:${s}`),
      fc.string({ minLength: 1, maxLength: 30 }).map((s) => `css:${s}`),
      fc.constantFrom('h1', 'css:#marker', 'js:document.title.length > 0', 'js:throw 1', 'xpath=//h1', 'text=About', '>>', 'css:'),
    )
    await fc.assert(
      fc.asyncProperty(waitFor, async (w) => {
        const res = await send('/html', { url: `${site.url}/about.html`, wait_for: w, page_timeout: 400 }, {}, 20_000)
        const what = `wait_for ${JSON.stringify(w)}`
        if (res.status === 200) return void (await res.json())
        const body = await expectCleanError(res, what)
        if (res.status === 400) return void expect(body.error.field, what).toBe('wait_for')
        expect([res.status, body.error.code], what).toEqual([504, 'PAGE_TIMEOUT'])
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})

describe('hostile payloads to a runner', () => {
  it('a body over 2 MiB is 413 on every route, declared or streamed, before any of it is parsed', async () => {
    const big = Buffer.from(JSON.stringify({ url: 'http://169.254.169.254/', pad: 'x'.repeat(2 * MB + 10) }))
    for (const r of ROUTES) {
      const declared = await postOnOwnConnection(`${runner.url}${r}`, big, { 'content-type': 'application/json', 'content-length': String(big.length) })
      expect(declared.status, r).toBe(413)
      expect(JSON.parse(declared.text)).toMatchObject({ success: false, error: { code: 'BODY_TOO_LARGE' } })
    }
    const streamed = await postOnOwnConnection(`${runner.url}/html`, chunks(big), { 'content-type': 'application/json' })
    expect(streamed.status).toBe(413)
  })

  it('a signed runner refuses an oversized unsigned body with 413 without buffering it, and an unsigned GET /llm with 401', async () => {
    await resetPeakRss(signed.pid)
    const before = await memoryStatus(signed.pid)
    // 24 MB: the runner reads 2 MiB, answers, and discards the rest (reading the whole of it to check a signature would be a 401)
    const res = await postOnOwnConnection(`${signed.url}/html`, chunks(Buffer.alloc(24 * MB, 0x20)), { 'content-type': 'application/json' })
    expect(res.status).toBe(413)
    const after = await memoryStatus(signed.pid)
    expect(after.peakRssBytes - before.rssBytes).toBeLessThan(16 * MB)

    const llm = await fetch(`${signed.url}/llm/example.invalid?q=hello`)
    expect(llm.status).toBe(401)
    expect((await expectCleanError(llm)).error.code).toBe('UNSIGNED')
  })

  it('a signed runner: any signature and timestamp headers are 401, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(route, headerValue, fc.oneof(headerValue, fc.integer().map(String), fc.constant(String(Date.now()))), async (r, signature, timestamp) => {
        const res = await fetch(`${signed.url}${r}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-crawlfleet-hmac': signature, 'x-crawlfleet-timestamp': timestamp },
          body: JSON.stringify(validRefusedBody(r)),
        })
        expect(res.status).toBe(401)
        expect((await expectCleanError(res)).error.code).toBe('UNSIGNED')
      }),
      { numRuns: 60 },
    )
    // and a correctly signed request still gets through to the URL policy
    const body = JSON.stringify(validRefusedBody('/html'))
    const ok = await fetch(`${signed.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(HMAC_SECRET, 'POST', '/html', Date.now(), body) }, body })
    expect(ok.status).toBe(403)
  })

  it('a body not declared as JSON is 415', async () => {
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
      const res = await c.raw('/html', JSON.stringify(validRefusedBody('/html')), type ? { 'content-type': type } : {})
      expect(res.status, String(type)).toBe(415)
      expect((await expectCleanError(res, String(type))).error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    }
  })

  it('invalid UTF-8, anywhere in the body, is 400 naming the body', async () => {
    const ascii = (s: string) => Buffer.from(s, 'latin1')
    const bodies = [
      Buffer.concat([ascii('{"url":"http://x.invalid/'), Buffer.from([0xff, 0xfe]), ascii('"}')]), // in a string
      Buffer.concat([ascii('{"url":"http://x.invalid/"'), Buffer.from([0xc0, 0xaf]), ascii('}')]), // overlong, between tokens
      Buffer.concat([ascii('{"url":"http://x.invalid/'), Buffer.from([0xed, 0xa0, 0x80]), ascii('"}')]), // a UTF-16 surrogate
      Buffer.concat([ascii('{"url":"http://x.invalid/'), Buffer.from([0xe2, 0x82]), ascii('"}')]), // truncated sequence
    ]
    for (const [i, bytes] of bodies.entries()) {
      const res = await c.raw('/html', bytes, { 'content-type': 'application/json' })
      expect(res.status, `body ${i}`).toBe(400)
      expect((await expectCleanError(res, `body ${i}`)).error.field).toBe('body')
    }
  })

  it('deeply nested JSON (100k and 900k levels) is a 400, not a stack overflow', async () => {
    const cases: [string, string, string][] = [
      ['/html', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'body'],
      ['/html', '['.repeat(900_000), 'body'], // unbalanced
      ['/html', `{"url":"http://x.invalid/","browser_config":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, 'browser_config.a'],
      ['/llm', `{"url":"http://x.invalid/","q":"x","schema":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, ''],
      ['/md', `{"url":"http://x.invalid/","c":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'c'],
    ]
    for (const [r, text, field] of cases) {
      const res = await c.raw(r, text, { 'content-type': 'application/json' })
      const what = `${r} ${text.slice(0, 60)}…`
      if (field === '') {
        // the schema takes any JSON there: the URL policy answers
        expect(res.status, what).toBe(403)
        continue
      }
      expect(res.status, what).toBe(400)
      expect((await expectCleanError(res, what)).error.field, what).toBe(field)
    }
  })

  it('huge arrays of URLs are 400 naming urls; the maximum of 100 is answered URL by URL', async () => {
    for (const n of [101, 60_000]) {
      const res = await send('/crawl', { urls: Array.from({ length: n }, (_, i) => `http://h${i}.invalid/`) })
      expect(res.status, String(n)).toBe(400)
      expect((await expectCleanError(res)).error.field).toBe('urls')
    }
    const hundred = await send('/crawl', { urls: Array.from({ length: 100 }, () => 'http://169.254.169.254/') })
    expect(hundred.status).toBe(200)
    const body = (await hundred.json()) as { success: boolean; results: { success: boolean; error_message: string }[] }
    expect(body.results).toHaveLength(100)
    expect(body.results.every((r) => !r.success && r.error_message.startsWith('URL_REFUSED'))).toBe(true)
  })

  it('script strings of megabytes: 400 naming the script, or a bounded answer when they fit', async () => {
    const oneBig = await send('/execute_js', { url: `${site.url}/`, scripts: ['1;'.repeat(700_000)] })
    expect(oneBig.status).toBe(400)
    expect((await expectCleanError(oneBig)).error.field).toBe('scripts.0')
    const tooMany = await send('/execute_js', { url: `${site.url}/`, scripts: Array.from({ length: 33 }, () => '1') })
    expect((await expectCleanError(tooMany)).error.field).toBe('scripts')
    const crawlScript = await send('/crawl', { urls: [`${site.url}/`], crawler_config: { js_code: 'x'.repeat(100_001) } })
    expect((await expectCleanError(crawlScript)).error.field).toBe('crawler_config.js_code')

    // 20 scripts of ~99 KB each (just under the 2 MiB body limit) run, and the answer stays small
    const script = `/*${'x'.repeat(98_990)}*/ 6 * 7`
    const fits = await send('/execute_js', { url: `${site.url}/`, scripts: Array.from({ length: 20 }, () => script), page_timeout: 30_000 }, {}, 40_000)
    expect(fits.status).toBe(200)
    const text = await fits.text()
    expect(text.length).toBeLessThan(64 * 1024)
    expect((JSON.parse(text) as { js_execution_result: { results: unknown[] } }).js_execution_result.results).toEqual(Array(20).fill(42))
  }, 60_000)

  it('other methods on page routes are 404, and unknown paths are 404 JSON', async () => {
    for (const [method, path] of [['GET', '/html'], ['PUT', '/screenshot'], ['DELETE', '/crawl'], ['POST', '/nope'], ['GET', '/crawl/stream/x']] as const) {
      const res = await fetch(`${runner.url}${path}`, { method })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect((await expectCleanError(res)).error.code).toBe('NOT_FOUND')
    }
  })
})

/** A body with no content-length, in 256 KB pieces: the server only learns its size by reading it. */
async function* chunks(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 256 * 1024) yield bytes.subarray(at, at + 256 * 1024)
}
