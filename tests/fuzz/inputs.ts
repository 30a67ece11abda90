import fc from 'fast-check'
import { expect } from 'vitest'
import { FORBIDDEN_BROWSER_KEYS } from '../../runner/contract/browser-config.ts'
import { PAGE_ROUTES } from '../../runner/contract/page-routes.ts'
import { expectCleanError } from '../helpers/fault-tools.ts'

// Arbitraries for fuzzing the page routes, shared by the runner and the edge fuzz tests. URLs are
// ones the URL policy refuses (or hosts under .invalid, which never resolve), so no browser work
// happens unless a property asks for the fixture site on purpose.

export type PageRoute = (typeof PAGE_ROUTES)[number]

const PAGE_FIELDS = ['url', 'browser_config', 'wait_until', 'wait_for', 'page_timeout', 'viewport', 'user_agent', 'locale', 'timezone_id', 'headers', 'java_script_enabled'] as const

/** The real top-level field names of each route's body. */
export const FIELDS: Readonly<Record<PageRoute, readonly string[]>> = {
  '/html': PAGE_FIELDS,
  '/screenshot': [...PAGE_FIELDS, 'full_page', 'screenshot_wait_for', 'wait_for_images'],
  '/pdf': [...PAGE_FIELDS, 'format', 'landscape', 'print_background'],
  '/execute_js': [...PAGE_FIELDS, 'scripts'],
  '/md': [...PAGE_FIELDS, 'f', 'q', 'c'],
  '/llm': [...PAGE_FIELDS, 'q', 'schema'],
  '/crawl': ['urls', 'browser_config', 'crawler_config'],
  '/crawl/stream': ['urls', 'browser_config', 'crawler_config'],
}

export const ROUTES = Object.keys(FIELDS) as PageRoute[]
export const route = fc.constantFrom(...ROUTES)

const BROWSER_KEYS = ['browser_type', 'headless', 'proxy', 'proxy_config', 'text_mode', 'light_mode', 'extra_args', 'viewport_width', 'viewport_height', 'viewport', 'user_agent', 'java_script_enabled', 'ignore_https_errors', 'headers', 'locale', 'timezone_id', 'device_scale_factor', 'verbose', 'sleep_on_close', 'accept_downloads']
const CRAWLER_KEYS = ['wait_until', 'wait_for', 'page_timeout', 'screenshot', 'pdf', 'js_code', 'stream', 'cache_mode', 'verbose']

export const json = fc.jsonValue({ maxDepth: 3 })

/** Refused by the policy without a DNS question: private and metadata addresses, other schemes. */
export const refusedWithoutDns = fc.constantFrom(
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.170.2/v2/credentials',
  'http://10.0.0.1/',
  'http://192.168.1.1/admin',
  'http://[fd00::1]/',
  'http://0.0.0.0/',
  'http://224.0.0.1/',
  'file:///etc/passwd',
  'ftp://files.invalid/',
  'javascript:alert(1)',
  'data:text/html,<h1>x</h1>',
)

/** Never fetched: refused by the policy, or under .invalid (RFC 6761), which never resolves. */
export const refusedUrl = fc.oneof(
  refusedWithoutDns,
  fc
    .tuple(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z][a-z-]{0,20}$/), fc.webPath())
    .map(([scheme, label, path]) => `${scheme}://${label}.invalid${path}`),
)

/** Anything a caller might put where a URL goes: refused URLs, strings, other JSON. */
export const anyUrl = fc.oneof({ weight: 3, arbitrary: refusedUrl }, { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) }, { weight: 1, arbitrary: json })

/** Plausible values for known keys (right and wrong types mixed), else any JSON. */
const plausible = fc.oneof(
  json,
  fc.boolean(),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('load', 'networkidle', 'sometime', 'A4', 'raw', 'bm25', 'llm', 'css:#x', 'js:1', '--mute-audio', '--no-sandbox', 'chromium', 'firefox'),
  fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }),
  fc.record({ width: fc.integer({ min: -10, max: 9000 }), height: fc.integer({ min: -10, max: 9000 }) }),
)

function objectOf(keys: readonly string[], extra = fc.string({ maxLength: 12 })) {
  return fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: extra }), plausible, { maxKeys: 6 })
}

export const browserConfig = fc.oneof(
  objectOf([...BROWSER_KEYS, ...Object.keys(FORBIDDEN_BROWSER_KEYS)]),
  fc.record({ type: fc.oneof(fc.constant('BrowserConfig'), json), params: fc.oneof(objectOf(BROWSER_KEYS), json) }, { requiredKeys: [] }),
  json,
)

export const crawlerConfig = fc.oneof(
  objectOf(CRAWLER_KEYS),
  fc.record({ type: fc.oneof(fc.constant('CrawlerRunConfig'), json), params: fc.oneof(objectOf(CRAWLER_KEYS), json) }, { requiredKeys: [] }),
  json,
)

/** A body with the route's real field names and values of any type; its URLs are never fetched. */
export function bodyFor(r: PageRoute): fc.Arbitrary<Record<string, unknown>> {
  const crawl = r.startsWith('/crawl')
  const fields = FIELDS[r].filter((f) => !['url', 'urls', 'browser_config', 'crawler_config'].includes(f))
  const key = fields.length > 0 ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }) : fc.string({ maxLength: 12 })
  const base = fc.dictionary(key, plausible, { maxKeys: 4 })
  const urlPart: fc.Arbitrary<Record<string, unknown>> = crawl
    ? fc.record({ urls: fc.oneof(fc.array(refusedUrl, { minLength: 1, maxLength: 5 }), fc.array(anyUrl, { maxLength: 3 }), json) }, { requiredKeys: [] })
    : fc.record({ url: anyUrl }, { requiredKeys: [] })
  const configs: fc.Arbitrary<Record<string, unknown>> = crawl
    ? fc.record({ browser_config: browserConfig, crawler_config: crawlerConfig }, { requiredKeys: [] })
    : fc.record({ browser_config: browserConfig }, { requiredKeys: [] })
  return fc.tuple(base, urlPart, configs).map(([b, u, cfg]) => ({ ...b, ...u, ...cfg }))
}

/** A body that passes validation on the route, with a URL the policy refuses. */
export function validRefusedBody(r: PageRoute): Record<string, unknown> {
  const url = 'http://169.254.169.254/latest/meta-data/'
  if (r.startsWith('/crawl')) return { urls: [url] }
  if (r === '/execute_js') return { url, scripts: ['1'] }
  if (r === '/llm') return { url, q: 'what is this?' }
  return { url }
}

/**
 * The invariant for every answer to a fuzzed request: never a 5xx; a JSON error naming a field
 * of the request (its first segment) on a 400; a 200 only where refused URLs are reported per URL (/crawl).
 * Reads the whole body (a stream too), so a broken stream fails the property.
 */
export async function expectNoFault(res: Response, r: PageRoute | string, what: string, sentKeys: readonly string[] = []): Promise<void> {
  if (res.status === 200) {
    const text = await res.text()
    expect(r.startsWith('/crawl'), `${what}: 200 for a request that must not render: ${text.slice(0, 200)}`).toBe(true)
    if (r === '/crawl/stream') expect(text.trim().split('\n').at(-1), what).toBe('{"status":"completed"}')
    else expect((JSON.parse(text) as { success: boolean }).success, what).toBe(false)
    return
  }
  expect(res.status, what).toBeGreaterThanOrEqual(400)
  expect(res.status, what).toBeLessThan(500)
  const body = await expectCleanError(res, what)
  if (res.status === 400 && r in FIELDS) {
    const field = body.error.field!
    // a real field, the body itself, or an unknown key the request sent (named as not a known field)
    const named = ['body', ...FIELDS[r as PageRoute]].includes(field.split('.')[0]!) || sentKeys.some((k) => field === k || field.startsWith(`${k}.`))
    expect(named, `${what}: "${field}" is not a field of ${r}`).toBe(true)
  }
}

/** Printable ASCII without the characters that would end a header value or a path early. */
export const headerValue = fc.string({ maxLength: 60, unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)) }).map((s) => s.trim())
