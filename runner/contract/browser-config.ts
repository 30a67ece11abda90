import { z } from '@hono/zod-openapi'
import { ProxyInput } from './proxy-config.ts'
import { c4aDict, c4aList, c4aParams, CRAWL4AI_CLASSES, own, WRAPPER_KEY, type Refusals } from './crawl4ai/serialization.ts'

// crawl4ai's BrowserConfig, split the way Playwright splits it: launch options need a browser
// process of their own (they make the signature); context options are per request and cheap.

/** Launch options a caller may never set: they reach the host's filesystem or another browser. */
export const FORBIDDEN_BROWSER_KEYS: Readonly<Record<string, string>> = {
  user_data_dir: 'user data directories are not served: every request gets a fresh context',
  use_persistent_context: 'persistent contexts are not served: every request gets a fresh context',
  cdp_url: 'connecting to an outside browser is not allowed',
  use_managed_browser: 'managed browsers are not served',
  browser_mode: 'the browser mode is fixed by the service',
  debugging_port: 'debugging ports are not exposed',
  host: 'debugging hosts are not exposed',
  downloads_path: 'downloads are not stored',
  storage_state: 'storage state files are not read',
  executable_path: 'the Chromium build is fixed by the service',
  browser_context_id: 'connecting to an outside browser is not allowed',
  target_id: 'connecting to an outside browser is not allowed',
}

/** crawl4ai options crawlfleet refuses on purpose (a 400 that says why). */
const REFUSED_BROWSER_OPTIONS: Readonly<Record<string, string>> = {
  enable_stealth: 'crawlfleet does not disguise its browser (no stealth patches)',
  avoid_ads: 'request blocking needs interception, which turns off Chromium\'s HTTP cache here',
  avoid_css: 'request blocking needs interception, which turns off Chromium\'s HTTP cache here',
}

/**
 * Flags every crawlfleet browser already runs with (its own base flags and Playwright's --headless
 * and --no-sandbox), and flags without effect in the headless shell: accepted, and dropped from the
 * launch options, so they never make a browser of their own.
 */
export const ALREADY_APPLIED_ARGS: ReadonlySet<string> = new Set([
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--headless',
  '--headless=new',
  '--headless=old',
  '--headless=chrome',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--no-default-browser-check',
  '--disable-field-trial-config',
  '--disable-back-forward-cache',
  '--no-service-autorun',
  '--disable-search-engine-choice-screen',
])

/** Flags that ask Chromium to accept bad certificates: the per-request `ignore_https_errors` here. */
export const HTTPS_ERROR_ARGS: ReadonlySet<string> = new Set(['--ignore-certificate-errors', '--allow-insecure-localhost'])

/** Why a flag that crawl4ai's own examples use is refused. */
const REFUSED_ARGS: Readonly<Record<string, string>> = {
  '--disable-web-security': 'turns off the same-origin policy (and local-file checks) in a browser other callers share',
  '--no-zygote': 'changes how Chromium starts its processes',
  '--single-process': 'one renderer crash would take down every caller of the browser',
  '--remote-debugging-port': 'debugging ports are not exposed',
}

/** Chromium flags a caller may add; anything else (site isolation, sandbox, remote debugging…) is refused. */
export const ALLOWED_EXTRA_ARGS: readonly (string | RegExp)[] = [
  '--blink-settings=imagesEnabled=false',
  '--disable-remote-fonts',
  '--disable-gpu',
  '--disable-extensions',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-hang-monitor',
  '--disable-ipc-flooding-protection',
  '--disable-popup-blocking',
  '--disable-prompt-on-repost',
  '--disable-default-apps',
  '--disable-breakpad',
  '--hide-scrollbars',
  '--mute-audio',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
  /^--force-color-profile=(srgb|display-p3-d65|generic-rgb)$/,
  /^--lang=[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/,
  /^--font-render-hinting=(none|slight|medium|full)$/,
  /^--force-device-scale-factor=\d(\.\d{1,2})?$/,
  '--disable-software-rasterizer',
]

/** crawl4ai's `text_mode`: no images, no web fonts. */
export const TEXT_MODE_ARGS = ['--blink-settings=imagesEnabled=false', '--disable-remote-fonts'] as const
/** crawl4ai's `light_mode`: fewer background features. */
export const LIGHT_MODE_ARGS = [
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-hang-monitor',
  '--disable-ipc-flooding-protection',
  '--disable-default-apps',
  '--disable-extensions',
] as const

export function isAllowedExtraArg(arg: string): boolean {
  return ALREADY_APPLIED_ARGS.has(arg) || HTTPS_ERROR_ARGS.has(arg) || ALLOWED_EXTRA_ARGS.some((a) => (typeof a === 'string' ? a === arg : a.test(arg)))
}

function refusedArgMessage(arg: string): string {
  const reason = own(REFUSED_ARGS, arg.split('=')[0]!)
  return reason ? `the Chromium flag "${arg}" is refused: it ${reason}` : `the Chromium flag "${arg}" is not allowed`
}

// crawl4ai's ProxyConfig, in every spelling, is runner/contract/proxy-config.ts: the egress proxy's upstream
CRAWL4AI_CLASSES.set('ProxyConfig', ProxyInput)

export const Viewport = c4aDict(
  z
    .object({
      width: z.number().int().min(100).max(7680),
      height: z.number().int().min(100).max(7680),
    })
    .strict(),
).openapi('Viewport')

export const Headers = c4aDict(
  z.record(z.string().min(1).max(256), z.string().max(8192)).refine((h) => Object.keys(h).length <= 64, 'at most 64 headers'),
)

/** crawl4ai's cookies: `{name, value, url}` or `{name, value, domain, path}`, set in the request's fresh context */
export const Cookie = c4aDict(
  z
    .object({
      name: z.string().min(1).max(256),
      value: z.string().max(4096),
      url: z.string().max(2048).optional(),
      domain: z.string().max(256).optional(),
      path: z.string().max(1024).optional(),
      expires: z.number().optional(),
      httpOnly: z.boolean().optional(),
      secure: z.boolean().optional(),
      sameSite: z.enum(['Strict', 'Lax', 'None']).optional(),
    })
    .strict()
    .refine((c) => c.url !== undefined || c.domain !== undefined, 'a cookie needs a url or a domain'),
)
export type Cookie = z.infer<typeof Cookie>

const BrowserParams = z
  .object({
    browser_type: z.literal('chromium').optional().openapi({ description: 'only Chromium is served' }),
    headless: z.literal(true, { message: 'only headless browsers are served' }).optional(),
    proxy: ProxyInput.optional(),
    proxy_config: ProxyInput.optional(),
    text_mode: z.boolean().optional(),
    light_mode: z.boolean().optional(),
    extra_args: c4aList(z.string().max(256), 32)
      .optional()
      .superRefine((args, ctx) => {
        for (const [i, arg] of (args ?? []).entries()) {
          if (!isAllowedExtraArg(arg)) ctx.addIssue({ code: 'custom', path: [i], message: refusedArgMessage(arg) })
        }
      }),
    // context options (per request; never a browser of their own)
    viewport_width: z.number().int().min(100).max(7680).optional(),
    viewport_height: z.number().int().min(100).max(7680).optional(),
    viewport: Viewport.optional(),
    user_agent: z.string().min(1).max(1024).optional(),
    java_script_enabled: z.boolean().optional(),
    ignore_https_errors: z.boolean().optional(),
    headers: Headers.optional(),
    locale: z.string().min(2).max(35).optional(),
    timezone_id: z.string().min(1).max(64).optional(),
    device_scale_factor: z.number().min(0.25).max(4).optional(),
    cookies: c4aList(Cookie, 100).optional(),
    init_scripts: c4aList(z.string().max(100_000), 16)
      .optional()
      .openapi({ description: 'scripts run in every page before its own scripts' }),
    // crawl4ai's defaults, accepted as they are; anything else is refused
    browser_mode: z.literal('dedicated', { message: 'the browser mode is fixed by the service' }).optional(),
    chrome_channel: z.literal('chromium', { message: 'the Chromium build is fixed by the service' }).optional(),
    channel: z.literal('chromium', { message: 'the Chromium build is fixed by the service' }).optional(),
    use_managed_browser: z.literal(false, { message: 'managed browsers are not served' }).optional(),
    use_persistent_context: z.literal(false, { message: 'persistent contexts are not served: every request gets a fresh context' }).optional(),
    user_agent_mode: z.literal('', { message: 'random user agents are not served: set user_agent' }).optional(),
    user_agent_generator_config: c4aDict(z.object({}).strict()).optional(),
    // accepted for crawl4ai compatibility, no effect here (the pool manages browsers and memory)
    verbose: z.boolean().optional(),
    sleep_on_close: z.boolean().optional(),
    accept_downloads: z.literal(false).optional(),
    memory_saving_mode: z.boolean().optional(),
    max_pages_before_recycle: z.number().int().min(0).optional(),
    cdp_cleanup_on_close: z.boolean().optional(),
    cdp_close_delay: z.number().optional(),
    cache_cdp_connection: z.literal(false).optional(),
    create_isolated_context: z.boolean().optional(),
  })
  .strict()

/** crawl4ai's own defaults of forbidden keys: what its client sends when nothing was chosen */
const HARMLESS_DEFAULTS: Readonly<Record<string, unknown>> = { use_managed_browser: false, use_persistent_context: false, browser_mode: 'dedicated' }

const BROWSER_REFUSALS: Refusals = {
  ...Object.fromEntries(
    Object.entries(FORBIDDEN_BROWSER_KEYS).map(([k, reason]) => [k, (v: unknown) => (k in HARMLESS_DEFAULTS && v === HARMLESS_DEFAULTS[k] ? undefined : `forbidden: ${reason}`)]),
  ),
  ...REFUSED_BROWSER_OPTIONS,
}

/** A plain object or crawl4ai's `{type: "BrowserConfig", params: {...}}`; null means unset. */
export const BrowserConfig = z
  .preprocess((input, ctx) => c4aParams('BrowserConfig', input, ctx, BROWSER_REFUSALS), BrowserParams)
  .openapi('BrowserConfig', {
    description:
      "Browser settings, as a plain object or crawl4ai's {type: \"BrowserConfig\", params}. Launch options (proxy, text_mode, light_mode, extra_args) choose the browser; the rest only shape this request's context.",
    [WRAPPER_KEY]: 'BrowserConfig',
  } as never)
CRAWL4AI_CLASSES.set('BrowserConfig', BrowserConfig)

export type BrowserConfigInput = z.infer<typeof BrowserParams>
