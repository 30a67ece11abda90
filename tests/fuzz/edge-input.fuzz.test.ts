import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalEdge } from '../../edge/local-server.ts'
import { expectCleanError, postOnOwnConnection } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startEdge } from '../helpers/start-edge.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'
import { bodyFor, browserConfig, crawlerConfig, expectNoFault, headerValue, json, route, ROUTES, validRefusedBody, type PageRoute } from './inputs.ts'

// The same bad input through the edge (API keys, HMAC to a signed runner): the edge refuses what
// it can on its own, forwards the rest, and passes the runner's answers on. Never a 5xx, every 400
// names a field, the edge and the runner stay up.

const API_KEY = 'fuzz-key'
const HMAC_SECRET = 'edge-fuzz-secret'
const MB = 1024 * 1024
let site: FixtureSite
let runner: RunnerProcess
let edge: LocalEdge

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess({ CRAWLFLEET_HMAC_SECRET: HMAC_SECRET })
  edge = await startEdge({ runners: [runner.url], apiKeys: [API_KEY], hmacSecret: HMAC_SECRET, allowCidrs: ['127.0.0.0/8'] })
})
afterAll(async () => {
  if (edge) expect((await fetch(`${edge.url}/health`)).status).toBe(200)
  await edge?.close()
  if (runner) {
    expect(runner.child.exitCode).toBeNull()
    expect(await runner.stop()).toBe(0)
  }
  await site?.close()
})

const AUTH = { authorization: `Bearer ${API_KEY}` }
const send = (r: string, body: unknown, headers: Record<string, string> = {}, withinMs = 15_000) =>
  fetch(`${edge.url}${r}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(withinMs),
  })
const HANGS_POSSIBLE = { endOnFailure: true } as const

describe('fuzzed requests through the edge', () => {
  it('any JSON value as the body of any route: a 4xx naming a field', async () => {
    await fc.assert(
      fc.asyncProperty(route, json, async (r, body) => {
        await expectNoFault(await send(r, body), r, `${r} ${JSON.stringify(body)}`)
      }),
      { numRuns: 100 },
    )
  })

  it("the routes' real field names with values of any type, URLs of any kind", async () => {
    await fc.assert(
      fc.asyncProperty(
        route.chain((r) => fc.tuple(fc.constant(r), bodyFor(r))),
        async ([r, body]) => {
          await expectNoFault(await send(r, body), r, `${r} ${JSON.stringify(body)}`, Object.keys(body))
        },
      ),
      { numRuns: 150, ...HANGS_POSSIBLE },
    )
  })

  it('browser_config and crawler_config of every shape', async () => {
    const cases = fc.oneof(
      fc.record({ r: fc.constantFrom<PageRoute>('/html', '/pdf', '/llm'), cfg: fc.record({ browser_config: browserConfig }) }),
      fc.record({ r: fc.constant<PageRoute>('/crawl'), cfg: fc.record({ browser_config: browserConfig, crawler_config: crawlerConfig }, { requiredKeys: [] }) }),
    )
    await fc.assert(
      fc.asyncProperty(cases, async ({ r, cfg }) => {
        const body = { ...validRefusedBody(r), ...cfg }
        await expectNoFault(await send(r, body), r, `${r} ${JSON.stringify(body)}`)
      }),
      { numRuns: 100, ...HANGS_POSSIBLE },
    )
  })

  it('any Authorization header but the key: 401 or 403, and the body is never looked at', async () => {
    await fc.assert(
      fc.asyncProperty(route, fc.option(headerValue, { nil: undefined }), json, async (r, authorization, body) => {
        fc.pre(authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] !== API_KEY)
        const res = await fetch(`${edge.url}${r}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
          body: JSON.stringify(body),
        })
        const what = `${r} authorization=${JSON.stringify(authorization)}`
        expect([401, 403], what).toContain(res.status)
        expect(['API_KEY_MISSING', 'API_KEY_WRONG'], what).toContain((await expectCleanError(res, what)).error.code)
      }),
      { numRuns: 80 },
    )
  })

  it('queries and headers do not change the answer to a valid request: 403 from the URL policy', async () => {
    const extras = fc.record(
      {
        query: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16, unit: 'binary' })), { maxLength: 3 }),
        accept: headerValue,
        'x-request-id': headerValue,
        'x-crawlfleet-deadline-ms': headerValue,
        'x-crawlfleet-hmac': headerValue,
        'x-forwarded-for': headerValue,
      },
      { requiredKeys: ['query'] },
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<PageRoute>('/html', '/screenshot', '/pdf', '/execute_js', '/md', '/llm'), extras, async (r, { query, ...headers }) => {
        const qs = new URLSearchParams(query).toString()
        const res = await fetch(`${edge.url}${r}${qs ? `?${qs}` : ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH, ...headers },
          body: JSON.stringify(validRefusedBody(r)),
          signal: AbortSignal.timeout(15_000),
        })
        const what = `${r}?${qs} ${JSON.stringify(headers)}`
        expect(res.status, what).toBe(403)
        expect((await expectCleanError(res, what)).error).toMatchObject({ code: 'URL_REFUSED', field: 'url' })
      }),
      { numRuns: 80 },
    )
  })

  it('GET /llm/{url} with any path: never a 5xx', async () => {
    const piece = fc.oneof(
      fc.constantFrom('%', '%E0', '%A4%A', '%ZZ', '%2F', '%25', '%C3%A9', '/', '..', ':', '?', '#', '.invalid', 'x', 'https://', 'file:'),
      fc.stringMatching(/^[a-z.:/?&=_~-]{1,8}$/),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }).map((ps) => `x${ps.join('')}`), async (p) => {
        const res = await fetch(`${edge.url}/llm/${p}?q=what`, { headers: AUTH, signal: AbortSignal.timeout(15_000) })
        const what = `GET /llm/${p}`
        expect(res.status, what).toBeGreaterThanOrEqual(400)
        expect(res.status, what).toBeLessThan(500)
        await expectCleanError(res, what)
      }),
      { numRuns: 80 },
    )
  })

  it('context options Chromium refuses reach the runner and come back as 400 naming the field', async () => {
    const unicode = (max: number) => fc.string({ minLength: 1, maxLength: max, unit: 'binary' })
    const options = fc.record(
      {
        user_agent: unicode(30),
        locale: fc.string({ minLength: 2, maxLength: 10 }),
        timezone_id: unicode(16),
        headers: fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('Host', 'Connection')), unicode(20), { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        const res = await send('/html', { url: `${site.url}/about.html`, page_timeout: 10_000, ...o }, {}, 20_000)
        const what = `/html ${JSON.stringify(o)}`
        if (res.status === 200) return void expect(((await res.json()) as { html: string }).html, what).toContain('<h1')
        expect(res.status, what).toBe(400)
        const field = (await expectCleanError(res, what)).error.field!
        expect(Object.keys(o), `${what}: ${field}`).toContain(field.split('.')[0])
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})

describe('hostile payloads through the edge', () => {
  it('over 2 MiB: 413 declared or streamed; not JSON: 415; invalid UTF-8: 400 body', async () => {
    const big = Buffer.from(JSON.stringify({ url: 'http://169.254.169.254/', pad: 'x'.repeat(2 * MB + 10) }))
    const declared = await postOnOwnConnection(`${edge.url}/html`, big, { 'content-type': 'application/json', 'content-length': String(big.length), ...AUTH })
    expect(declared.status).toBe(413)
    async function* pieces() {
      for (let at = 0; at < big.length; at += 256 * 1024) yield big.subarray(at, at + 256 * 1024)
    }
    const streamed = await postOnOwnConnection(`${edge.url}/crawl`, pieces(), { 'content-type': 'application/json', ...AUTH })
    expect(streamed.status).toBe(413)

    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
      const res = await fetch(`${edge.url}/html`, { method: 'POST', headers: { 'content-type': type, ...AUTH }, body: '{}' })
      expect(res.status, type).toBe(415)
    }
    const badUtf8 = Buffer.concat([Buffer.from('{"url":"http://x.invalid/'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])
    const res = await fetch(`${edge.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: badUtf8 })
    expect(res.status).toBe(400)
    expect((await expectCleanError(res)).error.field).toBe('body')
  })

  it('deep nesting, huge URL lists and megabyte scripts are 400s naming the field', async () => {
    const raw = (r: string, text: string) => fetch(`${edge.url}${r}`, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: text })
    const cases: [string, string, string][] = [
      ['/html', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'body'],
      ['/html', '['.repeat(900_000), 'body'],
      ['/html', `{"url":"http://x.invalid/","browser_config":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, 'browser_config.a'],
      ['/crawl', JSON.stringify({ urls: Array.from({ length: 101 }, (_, i) => `http://h${i}.invalid/`) }), 'urls'],
      ['/crawl', JSON.stringify({ urls: Array.from({ length: 60_000 }, (_, i) => `http://h${i}.invalid/`) }), 'urls'],
      ['/execute_js', JSON.stringify({ url: `${site.url}/`, scripts: ['1;'.repeat(700_000)] }), 'scripts.0'],
    ]
    for (const [r, text, field] of cases) {
      const res = await raw(r, text)
      const what = `${r} ${text.slice(0, 50)}…`
      expect(res.status, what).toBe(400)
      expect((await expectCleanError(res, what)).error.field, what).toBe(field)
    }
  })

  it('every route answers a valid request for a fixture page through the edge (the fuzzing left both up)', async () => {
    for (const r of ROUTES.filter((x) => x !== '/llm')) {
      const body = r.startsWith('/crawl') ? { urls: [`${site.url}/`] } : r === '/execute_js' ? { url: `${site.url}/`, scripts: ['document.title'] } : { url: `${site.url}/` }
      const res = await send(r, body, {}, 30_000)
      expect(res.status, r).toBe(200)
      await res.arrayBuffer()
    }
  }, 60_000)
})
