import { launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import type { BrowserConfigInput } from '../../runner/contract/browser-config.ts'

// Issue 6's mixed load: 10 launch variants (each its own browser) and 20 context variants (never a
// browser of their own), most popular first. Rank 0 is the default config: the permanent browser.

export const LAUNCH_VARIANTS: readonly (BrowserConfigInput | undefined)[] = [
  undefined,
  { text_mode: true },
  { light_mode: true },
  { extra_args: ['--lang=de-DE'] },
  { extra_args: ['--hide-scrollbars'] },
  { text_mode: true, light_mode: true },
  { extra_args: ['--lang=fr-FR'] },
  { text_mode: true, extra_args: ['--lang=de-DE'] },
  { extra_args: ['--force-color-profile=srgb'] },
  { light_mode: true, extra_args: ['--lang=ja-JP', '--mute-audio'] },
]

const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 375, height: 667 },
  { width: 768, height: 1024 },
  { width: 1440, height: 900 },
]
const USER_AGENTS = [undefined, 'Mozilla/5.0 (X11; Linux x86_64) crawlfleet-bench/1.0']
const LOCALES = [undefined, 'de-DE']

/** 5 viewports × 2 user agents × 2 locales, as page options of the request body. */
export const CONTEXT_VARIANTS: readonly Record<string, unknown>[] = VIEWPORTS.flatMap((viewport) =>
  USER_AGENTS.flatMap((user_agent) => LOCALES.map((locale) => ({ viewport, ...(user_agent ? { user_agent } : {}), ...(locale ? { locale } : {}) }))),
)

export const signatureOfConfig = (c: BrowserConfigInput | undefined): string => signatureOf(launchOptionsFrom(c))

/** Distinct launch variants must make distinct browsers, or the hit rate would flatter the pool. */
export function assertDistinctSignatures(): void {
  const sigs = new Set(LAUNCH_VARIANTS.map(signatureOfConfig))
  if (sigs.size !== LAUNCH_VARIANTS.length) throw new Error(`only ${sigs.size} distinct signatures among ${LAUNCH_VARIANTS.length} launch variants`)
  if (CONTEXT_VARIANTS.length !== 20) throw new Error(`expected 20 context variants, got ${CONTEXT_VARIANTS.length}`)
}
