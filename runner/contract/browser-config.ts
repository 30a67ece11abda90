import { z } from '@hono/zod-openapi'
import { unwrapTyped } from './crawl4ai-typed.ts'
import { ProxyInput } from './proxy-config.ts'

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
  chrome_channel: 'the Chromium build is fixed by the service',
  channel: 'the Chromium build is fixed by the service',
  executable_path: 'the Chromium build is fixed by the service',
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
  return ALLOWED_EXTRA_ARGS.some((a) => (typeof a === 'string' ? a === arg : a.test(arg)))
}

export const Viewport = z
  .object({
    width: z.number().int().min(100).max(7680),
    height: z.number().int().min(100).max(7680),
  })
  .strict()
  .openapi('Viewport')

export const Headers = z
  .record(z.string().min(1).max(256), z.string().max(8192))
  .refine((h) => Object.keys(h).length <= 64, 'at most 64 headers')

const BrowserParams = z
  .object({
    browser_type: z.literal('chromium').optional().openapi({ description: 'only Chromium is served' }),
    headless: z.literal(true, { message: 'only headless browsers are served' }).optional(),
    // null: crawl4ai sends its unset proxy fields as null
    proxy: ProxyInput.nullish(),
    proxy_config: ProxyInput.nullish(),
    text_mode: z.boolean().optional(),
    light_mode: z.boolean().optional(),
    extra_args: z
      .array(z.string().max(256))
      .max(32)
      .optional()
      .superRefine((args, ctx) => {
        for (const [i, arg] of (args ?? []).entries()) {
          if (!isAllowedExtraArg(arg)) {
            ctx.addIssue({ code: 'custom', path: [i], message: `the Chromium flag "${arg}" is not allowed` })
          }
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
    // accepted for crawl4ai compatibility, no effect here
    verbose: z.boolean().optional(),
    sleep_on_close: z.boolean().optional(),
    accept_downloads: z.literal(false).optional(),
  })
  .strict()

function rejectForbidden(value: unknown, ctx: z.RefinementCtx): void {
  if (value === null || typeof value !== 'object') return
  for (const key of Object.keys(value)) {
    const reason = FORBIDDEN_BROWSER_KEYS[key]
    if (reason) ctx.addIssue({ code: 'custom', path: [key], message: `forbidden: ${reason}` })
  }
}

/** A plain object or crawl4ai's `{type: "BrowserConfig", params: {...}}`. */
export const BrowserConfig = z
  .preprocess((input, ctx) => {
    const params = unwrapTyped(input, 'BrowserConfig', ctx)
    rejectForbidden(params, ctx)
    return params
  }, BrowserParams)
  .openapi('BrowserConfig', {
    description:
      "Browser settings, as a plain object or crawl4ai's {type: \"BrowserConfig\", params}. Launch options (proxy, text_mode, light_mode, extra_args) choose the browser; the rest only shape this request's context.",
  })

export type BrowserConfigInput = z.infer<typeof BrowserParams>
