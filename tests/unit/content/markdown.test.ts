import { describe, expect, it } from 'vitest'
import { fitMarkdown, rawMarkdown } from '../../../runner/content/index.ts'
import { ARTICLE_BODY, ARTICLE_CHROME, ARTICLE_HEADINGS, ARTICLE_URL, decodeWindows1252, readFixture, readFixtureBytes } from './fixtures.ts'

const article = readFixture('article.html')
const lines = (md: string) => md.split('\n')

describe('raw and fit Markdown of the article page', () => {
  const raw = rawMarkdown(article, ARTICLE_URL)
  const fit = fitMarkdown(article, ARTICLE_URL)

  it('raw holds the article and all of its chrome', () => {
    for (const text of [...ARTICLE_BODY, ...ARTICLE_CHROME]) expect(raw).toContain(text)
    for (const heading of ARTICLE_HEADINGS) expect(lines(raw)).toContain(heading)
  })

  it('fit holds the headings and paragraphs and none of the chrome', () => {
    for (const heading of ARTICLE_HEADINGS) expect(lines(fit)).toContain(heading)
    for (const text of ARTICLE_BODY) expect(fit).toContain(text)
    for (const text of ARTICLE_CHROME) expect(fit).not.toContain(text)
  })

  it('turns the table into a GFM table with a divider row', () => {
    for (const md of [raw, fit]) {
      const l = lines(md)
      const header = l.indexOf('| Build | Launch (ms) | Memory (MB) |')
      expect(header).toBeGreaterThanOrEqual(0)
      expect(l.slice(header + 1, header + 4)).toEqual(['| --- | --- | --- |', '| Headless shell | 184 | 90 |', '| Full Chromium | 511 | 188 |'])
    }
  })

  it('makes relative links and images absolute against the page URL', () => {
    for (const md of [raw, fit]) {
      expect(md).toContain('[pool documentation](https://fleet.example/docs/pool.html)')
      expect(md).toContain('![Diagram of the permanent, hot and cold pools](https://fleet.example/articles/images/pool-diagram.png)')
      expect(md).toContain('[headless mode guide](https://developer.chrome.example/docs/headless "Headless mode")')
      expect(md).not.toMatch(/\]\((?!https?:|mailto:)/)
    }
  })

  it('fences code blocks with their language', () => {
    for (const md of [raw, fit]) expect(md).toContain('```ts\nconst lease = await pool.acquire(launchOptions, deadline)\ntry {\n  await render(lease.page)\n}')
  })

  it('keeps task lists and strikethrough in GFM form', () => {
    for (const md of [raw, fit]) {
      expect(lines(md)).toContain('- [x] Measure the per-browser memory on your own pages')
      expect(lines(md)).toContain('- [ ] Size the queue from the deadline, not from hope')
      expect(md).toContain('~~restarting the browser every hour~~')
    }
  })

  it('leaves scripts and styles out', () => {
    expect(raw).not.toContain('window.analytics')
    expect(raw).not.toContain('position: fixed')
  })
})

describe('fit on pages with little text', () => {
  const html = readFixture('short-page.html')

  it('keeps the short page and still drops the chrome', () => {
    const fit = fitMarkdown(html, 'https://status.example/')
    expect(lines(fit)).toContain('# All systems operational')
    expect(fit).toContain('Every runner answered its health check')
    for (const chrome of ['uses cookies', 'Status history', 'footer text']) expect(fit).not.toContain(chrome)
  })

  it("keeps the whole of a <main> whose story and notes are apart", () => {
    const para = (i: number) =>
      `<p>Paragraph ${i} explains how the runner keeps browsers warm, measures their memory, and retires them after a number of pages or minutes, whichever comes first, with commas, and more commas.</p>`
    const items = Array.from({ length: 30 }, (_, i) => `<li>Release note ${i}: fixed a leak in the janitor when a browser crashed mid-lease</li>`).join('')
    const html = `<html><head><title>t</title></head><body><nav><a href="/">Home link</a></nav><main><div class="story">${[1, 2, 3, 4].map(para).join('')}</div><div class="notes"><ul>${items}</ul></div></main><footer>Foot text</footer></body></html>`
    const fit = fitMarkdown(html, 'https://x.example/')
    expect(fit).toContain('Paragraph 1 explains')
    expect(fit).toContain('- Release note 29: fixed a leak')
    expect(fit).not.toContain('Home link')
    expect(fit).not.toContain('Foot text')
  })

  it('keeps a page with no semantic markup whole, minus chrome', () => {
    const html = `<html><body><div class="navbar"><a href="/x">Menu link</a></div><div><h2>Plain</h2><p>Only text.</p></div><div id="gdpr-notice">Consent text</div></body></html>`
    const fit = fitMarkdown(html, 'https://plain.example/')
    expect(fit).toBe('## Plain\n\nOnly text.')
  })
})

describe('the converter on edge cases', () => {
  const md = (body: string, url = 'https://site.example/a/b.html') => rawMarkdown(`<html><head></head><body>${body}</body></html>`, url)

  it('resolves against <base href> when the page has one', () => {
    const out = rawMarkdown('<html><head><base href="https://cdn.example/assets/"></head><body><a href="x.html">x</a><img src="i.png" alt="i"></body></html>', 'https://site.example/a/b.html')
    expect(out).toContain('[x](https://cdn.example/assets/x.html)')
    expect(out).toContain('![i](https://cdn.example/assets/i.png)')
  })

  it('gives a header-less table an empty header and pads short rows', () => {
    expect(lines(md('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>'))).toEqual(['|  |  |', '| --- | --- |', '| a | b |', '| c |  |'])
  })

  it('escapes pipes inside cells and joins cell lines with <br>', () => {
    expect(md('<table><tr><th>x</th><th>y</th></tr><tr><td>a|b</td><td><p>one</p><p>two</p></td></tr></table>')).toContain('| a\\|b | one<br>two |')
  })

  it('spreads a colspan over its columns', () => {
    expect(lines(md('<table><tr><th>a</th><th>b</th><th>c</th></tr><tr><td colspan="2">wide</td><td>z</td></tr></table>'))).toContain('| wide |  | z |')
  })

  it('treats a table holding a table as layout: only the inner one becomes GFM', () => {
    const out = md('<table><tr><td>outer</td><td><table><tr><td>in1</td><td>in2</td></tr></table></td></tr></table>')
    expect(lines(out)).toEqual(['outer', '', '|  |  |', '| --- | --- |', '| in1 | in2 |'])
  })

  it('makes the fence longer than any backtick run inside the code', () => {
    expect(md('<pre><code class="lang-md">```js\nx\n```</code></pre>')).toBe('````md\n```js\nx\n```\n````')
  })

  it('reads the language from highlighter markup around the code', () => {
    expect(md('<div class="highlight highlight-source-python"><pre>print(1)</pre></div>')).toBe('```python\nprint(1)\n```')
    expect(md('<pre data-language="rust"><code>fn main() {}</code></pre>')).toBe('```rust\nfn main() {}\n```')
    expect(md('<pre><code>plain</code></pre>')).toBe('```\nplain\n```')
  })

  it('drops javascript: targets and data: images but keeps the link text', () => {
    const out = md('<p><a href="javascript:alert(1)">Run</a> <img src="data:image/png;base64,AAAA" alt="inline"> <a href="#top">Top</a></p>')
    expect(out).toMatch(/^Run +\[Top\]\(https:\/\/site\.example\/a\/b\.html#top\)$/)
  })

  it('uses the lazy-loading source when src is a placeholder', () => {
    expect(md('<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg" alt="real">')).toBe('![real](https://site.example/real.jpg)')
  })

  it('reads content that sits outside <body> in hand-written HTML', () => {
    const out = rawMarkdown('<html><head><title>t</title></head><p>before</p><body><p>inside</p></body><p>after</p></html>', 'https://s.example/')
    expect(out).toBe('before\n\ninside\n\nafter')
  })

  it('numbers ordered lists from their start attribute', () => {
    expect(lines(md('<ol start="3"><li>c</li><li>d</li></ol>'))).toEqual(['3. c', '4. d'])
  })
})

describe('a windows-1252 page', () => {
  const bytes = readFixtureBytes('windows-1252.htm')

  it('is stored in windows-1252, not UTF-8', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow()
    expect(bytes.includes(0x80)).toBe(true) // € in windows-1252
  })

  it('converts once decoded (as Chromium does from its meta charset)', () => {
    const html = decodeWindows1252(bytes)
    const url = 'https://cafe.example/ete'
    expect(rawMarkdown(html, url)).toContain("# Café crème à 2 € : l'été à Zürich")
    const fit = fitMarkdown(html, url)
    expect(fit).toContain('Ñandú, señorita, Ærøskøbing')
    expect(fit).toContain('« » ‘ ’ “ ” … ™ œ Œ Š ž')
    expect(fit).not.toContain('Pied de page')
  })
})

describe('links side by side', () => {
  it('keeps adjacent links apart in raw Markdown, as a reader sees them', () => {
    const md = rawMarkdown('<html><body><nav><a href="/">Home</a><a href="/other">Other</a><a href="/x">X</a></nav><p><a href="/a">a</a>, <a href="/b">b</a></p></body></html>', 'https://site.test/')
    expect(md).toContain('[Home](https://site.test/) [Other](https://site.test/other) [X](https://site.test/x)')
    expect(md).toContain('[a](https://site.test/a), [b](https://site.test/b)')
  })
})
