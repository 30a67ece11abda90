import { describe, expect, it } from 'vitest'
import { extractMain } from '../../../runner/content/extract/index.ts'
import { fitContent } from '../../../runner/content/index.ts'
import { BOX_ATTR, HIDDEN_ATTR, PAGE_ATTR, stripSignals } from '../../../runner/content/signals.ts'

// The extractor on small pages written here, with and without the rendered-page signals that
// runner/pages/collect-signals.ts writes: each signal is shown to change the result, and the same
// page without it to keep the old one, so no test passes on class names alone.

const URL_ = 'https://news.example/2026/story'
const para = (i: number, words = 'the runner keeps browsers warm, measures their memory, and retires them after a number of pages') =>
  `<p ${BOX_ATTR}="200,${300 + i * 80},640,72,18">Paragraph ${i}: ${words}, which is why a lease is cheap and a launch is not.</p>`
const STORY = [1, 2, 3, 4, 5].map((i) => para(i)).join('')

/** a page laid out as a reader sees it: a 640 px text column at x = 200, body text at 18 px */
function page(article: string, o: { signals?: boolean; aside?: string } = {}): string {
  const html = `<!doctype html><html ${PAGE_ATTR}="1280,800,1280,3000"><head><title>Warm browsers</title></head><body>
    <div class="wrap"><div class="story" ${BOX_ATTR}="200,200,640,1400,18">${article}</div>${o.aside ?? ''}</div></body></html>`
  return o.signals === false ? stripSignals(html) : html
}

describe('rendered-page signals', () => {
  it('drops what the page did not show, and keeps it when the HTML carries no signals', () => {
    const hidden = `<div ${HIDDEN_ATTR}="display"><p>Subscribers-only teaser, hidden behind a tab the reader never opened, with enough words to count as a paragraph.</p></div>`
    const html = page(`${para(0)}${hidden}${STORY}`)
    const withSignals = extractMain(html, URL_)
    expect(withSignals.signals).toBe(true)
    expect(withSignals.text).toContain('Paragraph 3')
    expect(withSignals.text).not.toContain('Subscribers-only teaser')
    const raw = extractMain(page(`${para(0)}${hidden}${STORY}`, { signals: false }), URL_)
    expect(raw.signals).toBe(false)
    expect(raw.text).toContain('Subscribers-only teaser')
  })

  it('ignores the hidden marks when they would hide the story itself (a body kept invisible by a script that never ran)', () => {
    const story = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => para(i)).join('')
    const html = `<!doctype html><html ${PAGE_ATTR}="1280,800,1280,3000"><head><title>t</title></head><body><div ${HIDDEN_ATTR}="visibility"><div class="story">${story}</div></div></body></html>`
    expect(extractMain(html, URL_).text).toContain('Paragraph 8')
  })

  it('drops a short line set smaller than the body text (a credit, a dateline), only with the font sizes known', () => {
    const credit = `<div ${BOX_ATTR}="200,260,640,16,12">Photographs by the staff of the example desk, 2026</div>`
    expect(extractMain(page(`${credit}${STORY}`), URL_).text).not.toContain('Photographs by the staff')
    expect(extractMain(page(`${credit}${STORY}`, { signals: false }), URL_).text).toContain('Photographs by the staff')
  })

  it("drops a block placed beside the story's text column, only with the boxes known", () => {
    const rail = `<div ${BOX_ATTR}="880,400,300,200,18"><p ${BOX_ATTR}="880,400,300,200,18">Elsewhere today: a long teaser about another story entirely, sitting in a rail that floats right of the column.</p></div>`
    const html = page(`${para(0)}${rail}${STORY}`)
    expect(extractMain(html, URL_).text).not.toContain('Elsewhere today')
    expect(extractMain(page(`${para(0)}${rail}${STORY}`, { signals: false }), URL_).text).toContain('Elsewhere today')
  })
})

describe('blocks repeated across pages of a site', () => {
  const promo = '<div>Get our free morning briefing in your inbox: the five stories that matter, every weekday.</div>'
  const pageA = page(`${promo}${STORY}`)
  const pageB = page(`${[6, 7, 8, 9].map((i) => para(i, 'another day, another set of measurements of the pool, the janitor and the queue')).join('')}${promo}`)

  it('drops a block another page of the site also had, given that page\'s fingerprints', () => {
    const a = extractMain(pageA, URL_)
    expect(extractMain(pageB, URL_).text).toContain('morning briefing')
    const b = extractMain(pageB, URL_, { seenElsewhere: a.fingerprints })
    expect(b.text).not.toContain('morning briefing')
    expect(b.text).toContain('Paragraph 9')
  })

  it('drops nothing when most of the page was seen before (the same page twice)', () => {
    const a = extractMain(pageA, URL_)
    const again = extractMain(pageA, URL_, { seenElsewhere: a.fingerprints })
    expect(again.text).toBe(a.text)
  })
})

describe('what the main content keeps', () => {
  const article = `<h1>Warm browsers</h1>${para(0)}
    <h2 ${BOX_ATTR}="200,400,640,30,26">A lease in code</h2>${para(1)}
    <pre ${BOX_ATTR}="200,500,640,60,13"><code class="language-ts">const lease = await pool.acquire(options, deadline)</code></pre>
    <table ${BOX_ATTR}="200,600,640,60,14"><tr><th>Build</th><th>Launch (ms)</th></tr><tr><td>Headless shell</td><td>184</td></tr></table>
    <ul><li>Measure memory per browser</li><li>Size the queue from the deadline</li></ul>
    <figure><img src="/pool.png" alt="pool"><figcaption ${BOX_ATTR}="200,900,640,20,13">The permanent, hot and cold pools</figcaption></figure>${STORY}`
  const html = page(article)

  it('keeps headings, code, tables, lists and figure captions in the HTML and the Markdown, even in small fonts', () => {
    const fit = fitContent(html, URL_)
    for (const s of ['<h2', '<pre', 'const lease = await pool.acquire', '<table', 'Headless shell', '<li>Measure memory', '<figcaption']) expect(fit.html).toContain(s)
    expect(fit.markdown).toContain('## A lease in code')
    expect(fit.markdown).toContain('```ts\nconst lease = await pool.acquire(options, deadline)\n```')
    expect(fit.markdown).toContain('| Build | Launch (ms) |')
    expect(fit.markdown).toContain('- Size the queue from the deadline')
    expect(fit.markdown).toContain('The permanent, hot and cold pools')
    // the heading that repeats the page title is the Markdown's title line, once
    expect(fit.markdown.startsWith('# Warm browsers\n')).toBe(true)
    expect(fit.markdown.match(/Warm browsers/g)).toHaveLength(1)
  })

  it('gives the plain text without markup, the title heading or figure captions', () => {
    const { text } = fitContent(html, URL_)
    expect(text).toContain('A lease in code')
    expect(text).toContain('const lease = await pool.acquire(options, deadline)')
    expect(text).toContain('Headless shell\t184')
    expect(text).toContain('Size the queue from the deadline')
    expect(text).not.toContain('The permanent, hot and cold pools')
    expect(text).not.toMatch(/<|\]\(/)
    expect(text.startsWith('Paragraph 0')).toBe(true)
  })

  it('leaves no signal attribute in fit_html, and reads a page without signals the same way', () => {
    const fit = fitContent(html, URL_)
    expect(fit.html).not.toMatch(/data-cf-/)
    const raw = fitContent(stripSignals(html), URL_)
    expect(raw.text).toBe(fit.text)
  })
})

describe('stripSignals', () => {
  it('removes exactly the attributes the pass writes', () => {
    const marked = `<html ${PAGE_ATTR}="1,2,3,4"><body><p ${BOX_ATTR}="1,2,3,4,16" class="a">x</p><div ${HIDDEN_ATTR}="display" data-cf-other="kept">y</div></body></html>`
    expect(stripSignals(marked)).toBe('<html><body><p class="a">x</p><div data-cf-other="kept">y</div></body></html>')
  })
})
