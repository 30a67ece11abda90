import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractMain } from '../../runner/content/extract/index.ts'
import { BOX_ATTR, HIDDEN_ATTR, PAGE_ATTR, parseBox } from '../../runner/content/signals.ts'
import { collectSignals, extractorPreparation } from '../../runner/pages/collect-signals.ts'
import { settledContent } from '../../runner/pages/page-content.ts'
import { launchTestChromium } from '../helpers/test-chromium.ts'

// The in-page signal pass in real Chromium: what CSS hides is marked hidden at the top of its
// subtree, every block gets its box and font size as laid out, and the extractor, given the
// serialized page, leaves out what the reader never saw.

const CSS = `
  body { margin: 0; font: 18px/1.5 serif }
  main { display: block; width: 640px; margin-left: 200px }
  #menu { display: none }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0) }
  .offscreen { position: absolute; left: -9999px }
  .ghost { visibility: hidden }
  .credit { font-size: 12px }
  .rail { position: absolute; left: 900px; top: 40px; width: 300px }
`
const sentence = (i: number) => `Paragraph ${i} says that a warm browser answers in a fraction of the time a launch takes, and that memory is measured per page.`
const HTML = `<!doctype html><html><head><title>Warm browsers</title><style>${CSS}</style></head><body>
  <div id="menu"><p>Menu text that only opens on a click, long enough to be a paragraph of its own if it were shown.</p></div>
  <main>
    <p class="credit">Photographs by the example desk</p>
    <span class="sr-only">Screen-reader note: skip to the story</span>
    <p class="offscreen">Text parked off the page by a script that never brought it back in, still long enough to score.</p>
    <p class="ghost">Invisible placeholder text that keeps its room on the page but shows nothing at all to the reader.</p>
    ${[1, 2, 3, 4, 5].map((i) => `<p>${sentence(i)}</p>`).join('\n')}
    <div class="rail"><p>Elsewhere today: a long teaser about another story entirely, in a rail to the right of the column.</p></div>
  </main></body></html>`

let browser: Browser
let page: Page

beforeAll(async () => {
  browser = await launchTestChromium()
})
afterAll(async () => {
  await browser?.close()
})

describe('collectSignals', () => {
  it('marks hidden subtrees, boxes and font sizes in one pass', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.setContent(HTML)
    const stats = await collectSignals(page)
    expect(stats).toMatchObject({ truncated: false })
    expect(stats!.hidden).toBeGreaterThanOrEqual(4)
    const marks = await page.evaluate(
      ([hidden, box, pageAttr]) => ({
        menu: document.querySelector('#menu')!.getAttribute(hidden),
        menuChild: document.querySelector('#menu p')!.hasAttribute(hidden),
        srOnly: document.querySelector('.sr-only')!.getAttribute(hidden),
        offscreen: document.querySelector('.offscreen')!.getAttribute(hidden),
        ghost: document.querySelector('.ghost')!.getAttribute(hidden),
        credit: document.querySelector('.credit')!.getAttribute(box),
        para: document.querySelector('main p:nth-of-type(5)')!.getAttribute(box),
        page: document.documentElement.getAttribute(pageAttr),
      }),
      [HIDDEN_ATTR, BOX_ATTR, PAGE_ATTR],
    )
    expect(marks).toMatchObject({ menu: 'display', menuChild: false, srOnly: 'clipped', offscreen: 'offpage', ghost: 'visibility' })
    expect(parseBox(marks.credit)).toMatchObject({ x: 200, fontSize: 12 })
    expect(parseBox(marks.para)).toMatchObject({ x: 200, width: 640, fontSize: 18 })
    expect(marks.page?.startsWith('1280,800,')).toBe(true)
    await page.close()
  })

  it('lets the extractor leave out what the reader never saw', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.setContent(HTML)
    await collectSignals(page)
    const main = extractMain(await page.content(), 'https://news.example/story')
    await page.close()
    expect(main.signals).toBe(true)
    for (let i = 1; i <= 5; i++) expect(main.text).toContain(sentence(i))
    for (const unseen of ['Menu text', 'Screen-reader note', 'Text parked off the page', 'Invisible placeholder', 'Photographs by', 'Elsewhere today']) {
      expect(main.text, unseen).not.toContain(unseen)
    }
  })

  it('readies a page for the extractor in the evaluate that serializes it: marked, without what the extractor drops, same main text', async () => {
    const extras = `<script>window.loaded = 'a script the extractor never reads'</script><noscript><p>Enable JavaScript to read the rest of this story, the fallback says at length.</p></noscript>
      <template><p>Template text that no reader sees, long enough to be a paragraph of its own.</p></template><svg width="10" height="10"><circle r="4"/></svg><!-- a comment -->`
    const html = HTML.replace('<main>', `<main>${extras}`)
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.setContent(html)
    const prepared = await settledContent(page, 10_000, { prepare: extractorPreparation() })
    await page.close()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.setContent(html)
    await collectSignals(page)
    const markedOnly = await page.content()
    await page.close()
    expect(prepared).toContain(`${HIDDEN_ATTR}="display"`)
    expect(prepared).toContain(BOX_ATTR)
    for (const gone of ['<script', '<style', '<noscript', '<template', '<svg', '<!--']) {
      expect(markedOnly, gone).toContain(gone)
      expect(prepared, gone).not.toContain(gone)
    }
    expect(prepared.length).toBeLessThan(markedOnly.length)
    const url = 'https://news.example/story'
    expect(extractMain(prepared, url).text).toBe(extractMain(markedOnly, url).text)
  })

  it('answers null instead of throwing when the page is gone', async () => {
    const gone = await browser.newPage()
    await gone.close()
    expect(await collectSignals(gone)).toBeNull()
  })
})
