// Bounds on what one answer may hold, so a caller's page cannot make the runner build (and keep in
// memory while it is sent) an answer of any size. Documented in the README ("Under load").

/** a full-page screenshot is cut to this height: Chromium's own texture limit is 16384 px */
export const SCREENSHOT_MAX_HEIGHT_PX = 16_384
/** … and to this many pixels (≈ 100 MB of RGBA while encoding) */
export const SCREENSHOT_MAX_PIXELS = 25_000_000
/** a PDF has at most this many pages */
export const PDF_MAX_PAGES = 100

export type ScreenshotClip = 'height' | 'pixels'

/** The height a full-page screenshot of a `widthPx` × `heightPx` page is cut to, and why; null: whole. */
export function screenshotClip(widthPx: number, heightPx: number): { heightPx: number; reason: ScreenshotClip } | null {
  const byPixels = Math.floor(SCREENSHOT_MAX_PIXELS / Math.max(1, widthPx))
  if (heightPx <= SCREENSHOT_MAX_HEIGHT_PX && heightPx <= byPixels) return null
  return byPixels < SCREENSHOT_MAX_HEIGHT_PX ? { heightPx: byPixels, reason: 'pixels' } : { heightPx: SCREENSHOT_MAX_HEIGHT_PX, reason: 'height' }
}
