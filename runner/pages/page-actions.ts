import type { Page } from 'playwright-core'

// The in-page steps of crawl4ai's CrawlerRunConfig that change what the page shows before its
// HTML is read: scrolling the whole page, waiting for images, removing overlays and consent
// popups, inlining iframes, fitting the viewport to the content.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** scan_full_page: scroll a viewport at a time to the bottom (lazy content loads), then back to the top */
export async function scanFullPage(page: Page, o: { scrollDelaySec: number; maxSteps?: number; deadlineAt: number }): Promise<void> {
  const maxSteps = o.maxSteps ?? 200
  for (let step = 0; step < maxSteps && Date.now() < o.deadlineAt; step++) {
    const atBottom = await page.evaluate(() => {
      window.scrollBy(0, window.innerHeight)
      return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2
    })
    await sleep(o.scrollDelaySec * 1000)
    if (atBottom) break
  }
  await page.evaluate(() => window.scrollTo(0, 0))
}

/** wait_for_images: every <img> finished (loaded or failed), within the time left */
export async function waitForImages(page: Page, timeoutMs: number): Promise<void> {
  await page
    .waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: Math.max(1, timeoutMs), polling: 100 })
    .catch(() => undefined) // an image that never ends must not fail the page: crawl4ai goes on too
}

/** remove_overlay_elements / remove_consent_popups: fixed or sticky layers over the page, dialogs, known consent banners */
// (no named helpers inside the page functions: the TypeScript loader would wrap them in a helper
// that does not exist in the page)
export async function removeOverlays(page: Page, o: { overlays: boolean; consent: boolean }): Promise<number> {
  return page.evaluate(({ overlays, consent }) => {
    const victims: Element[] = []
    if (consent) {
      const cmp =
        '#onetrust-consent-sdk, #onetrust-banner-sdk, #CybotCookiebotDialog, #truste-consent-track, .qc-cmp2-container, #didomi-host, .fc-consent-root, #usercentrics-root, [id*="cookie-banner" i], [class*="cookie-banner" i], [id*="consent-banner" i], [class*="consent-banner" i], [aria-label*="cookie" i][role="dialog"]'
      victims.push(...document.querySelectorAll(cmp))
    }
    if (overlays) {
      for (const el of document.querySelectorAll('dialog[open], [role="dialog"][aria-modal="true"], [class*="modal" i][class*="open" i], [class*="popup" i], [class*="overlay" i]')) {
        const position = getComputedStyle(el).position
        if (el.tagName === 'DIALOG' || position === 'fixed' || position === 'absolute') victims.push(el)
      }
      const viewportArea = window.innerWidth * window.innerHeight
      for (const el of document.body.querySelectorAll('*')) {
        const s = getComputedStyle(el)
        if (s.position !== 'fixed' && s.position !== 'sticky') continue
        const r = el.getBoundingClientRect()
        if (r.width * r.height > viewportArea * 0.3 || (s.position === 'fixed' && Number.parseInt(s.zIndex, 10) >= 100)) victims.push(el)
      }
      document.documentElement.style.overflow = 'auto'
      document.body.style.overflow = 'auto'
    }
    for (const el of victims) el.remove()
    return victims.length
  }, o)
}

/** process_iframes: each same-page iframe replaced by a div holding its document's body */
export async function inlineIframes(page: Page): Promise<void> {
  const frames = page.mainFrame().childFrames()
  for (const [i, frame] of frames.entries()) {
    const body = await frame.evaluate(() => document.body?.innerHTML ?? '').catch(() => null)
    if (body === null) continue
    const element = await frame.frameElement().catch(() => null)
    if (!element) continue
    await element.evaluate(
      (el: Element, { html, index }) => {
        const div = document.createElement('div')
        div.className = 'iframe-content'
        div.setAttribute('data-iframe-index', String(index))
        div.innerHTML = html
        el.replaceWith(div)
      },
      { html: body, index: i },
    )
    await element.dispose()
  }
}

/** adjust_viewport_to_content: the viewport made as tall as the page (bounded), as crawl4ai does */
export async function fitViewportToContent(page: Page): Promise<void> {
  const size = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }))
  const current = page.viewportSize() ?? { width: 1280, height: 720 }
  await page.setViewportSize({ width: Math.min(Math.max(current.width, size.width), 7680), height: Math.min(Math.max(100, size.height), 16_384) })
}

/** capture_mhtml: the page as an MHTML archive, from Chromium's own snapshot */
export async function captureMhtml(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { data } = (await cdp.send('Page.captureSnapshot', { format: 'mhtml' })) as { data: string }
    return data
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}
