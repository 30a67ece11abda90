import { createHash } from 'node:crypto'
import { ALREADY_APPLIED_ARGS, HTTPS_ERROR_ARGS, LIGHT_MODE_ARGS, TEXT_MODE_ARGS, type BrowserConfigInput, type Cookie } from './browser-config.ts'
import { proxySettingsOf, type ProxySettings } from './proxy-config.ts'

/** Everything that needs a browser process of its own. Normalised: defaults filled in, flags sorted. */
export interface LaunchOptions {
  readonly browserType: 'chromium'
  readonly headless: true
  readonly proxy: ProxySettings | null
  /** sorted, deduplicated, every one on the allow-list */
  readonly args: readonly string[]
}

export type { ProxySettings }

/** Per-request settings: every request gets a fresh BrowserContext made with these. */
export interface ContextOptions {
  viewport?: { width: number; height: number }
  userAgent?: string
  locale?: string
  timezoneId?: string
  extraHTTPHeaders?: Record<string, string>
  javaScriptEnabled?: boolean
  deviceScaleFactor?: number
  ignoreHTTPSErrors?: boolean
  /** crawl4ai's `cookies`, set in the fresh context */
  storageState?: { cookies: StoredCookie[]; origins: [] }
  geolocation?: { latitude: number; longitude: number; accuracy?: number }
  permissions?: string[]
}

export interface StoredCookie {
  name: string
  value: string
  domain: string
  path: string
  expires: number
  httpOnly: boolean
  secure: boolean
  sameSite: 'Strict' | 'Lax' | 'None'
}

export const DEFAULT_LAUNCH: LaunchOptions = Object.freeze({
  browserType: 'chromium',
  headless: true,
  proxy: null,
  args: Object.freeze([]) as readonly string[],
})

export function launchOptionsFrom(config: BrowserConfigInput | undefined): LaunchOptions {
  if (!config) return DEFAULT_LAUNCH
  // flags every browser already has, and certificate flags (a context option here), are not launch options
  const args = new Set((config.extra_args ?? []).filter((a) => !ALREADY_APPLIED_ARGS.has(a) && !HTTPS_ERROR_ARGS.has(a)))
  // text_mode and light_mode are spellings of flag sets: fold them so equal browsers share a signature
  if (config.text_mode) TEXT_MODE_ARGS.forEach((a) => args.add(a))
  if (config.light_mode) LIGHT_MODE_ARGS.forEach((a) => args.add(a))
  // crawl4ai: proxy_config wins over proxy; the proxy (credentials included) is the egress proxy's upstream
  const proxyInput = config.proxy_config ?? config.proxy
  const proxy: ProxySettings | null = proxyInput == null ? null : proxySettingsOf(proxyInput)
  return { browserType: 'chromium', headless: true, proxy, args: [...args].sort() }
}

export function contextOptionsFrom(config: BrowserConfigInput | undefined): ContextOptions {
  if (!config) return {}
  const width = config.viewport?.width ?? config.viewport_width
  const height = config.viewport?.height ?? config.viewport_height
  return dropUndefined({
    viewport: width !== undefined || height !== undefined ? { width: width ?? 1280, height: height ?? 720 } : undefined,
    userAgent: config.user_agent,
    locale: config.locale,
    timezoneId: config.timezone_id,
    extraHTTPHeaders: config.headers,
    javaScriptEnabled: config.java_script_enabled,
    deviceScaleFactor: config.device_scale_factor,
    ignoreHTTPSErrors: config.ignore_https_errors ?? ((config.extra_args ?? []).some((a) => HTTPS_ERROR_ARGS.has(a)) ? true : undefined),
    storageState: config.cookies?.length ? { cookies: config.cookies.map(storedCookie), origins: [] as [] } : undefined,
  })
}

/** Playwright's stored-cookie shape from crawl4ai's `{name, value, url}` or `{name, value, domain, path}`. */
function storedCookie(c: Cookie): StoredCookie {
  const url = c.url !== undefined ? safeUrl(c.url) : undefined
  return {
    name: c.name,
    value: c.value,
    domain: c.domain ?? url?.hostname ?? '',
    path: c.path ?? (url ? '/' : '/'),
    expires: c.expires ?? -1,
    httpOnly: c.httpOnly ?? false,
    secure: c.secure ?? url?.protocol === 'https:',
    sameSite: c.sameSite ?? 'Lax',
  }
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}

/** A short stable hash of the normalised launch options: the pool key and the routing key. */
export function signatureOf(launch: LaunchOptions): string {
  return createHash('sha256').update(canonicalJson(launch)).digest('hex').slice(0, 16)
}

export const DEFAULT_SIGNATURE = signatureOf(DEFAULT_LAUNCH)

export function isDefaultSignature(signature: string): boolean {
  return signature === DEFAULT_SIGNATURE
}

/** JSON with object keys sorted at every depth, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}


function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}
