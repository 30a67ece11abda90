import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_HTML_CHARS, fitMarkdown, rawMarkdown } from '../../../runner/content/index.ts'
import { capHtml } from '../../../runner/content/limits.ts'
import { LARGE_PAGE_END_MARKER, largePageHtml } from '../../fixtures/site/content/large-page.ts'

const URL_ = 'https://big.example/page'
const MiB = 1024 * 1024

describe('capHtml', () => {
  it('leaves a page under the cap alone', () => {
    expect(capHtml('<p>short</p>', 100)).toEqual({ html: '<p>short</p>', trim: null })
  })

  it('cuts before the last tag that starts inside the budget', () => {
    const html = '<p>one</p><p>two</p><p>three</p>'
    const capped = capHtml(html, 15)
    expect(capped.html).toBe('<p>one</p>')
    expect(capped.trim).toEqual({ originalChars: 32, keptChars: 10 })
  })

  it('cuts a long run of text where the budget ends, not at the tag before it', () => {
    const html = `<html><body><pre>${'x'.repeat(200_000)}</pre></body></html>`
    expect(capHtml(html, 100_000).html.length).toBe(100_000)
  })
})

describe('very large pages', () => {
  it('converts the whole page when it fits', () => {
    const html = largePageHtml(300 * 1024)
    const md = rawMarkdown(html, URL_)
    expect(md).toContain(LARGE_PAGE_END_MARKER)
    expect(md).not.toContain('crawlfleet: the page')
  })

  it('converts only the first maxHtmlChars and says so', () => {
    const html = largePageHtml(3 * MiB)
    const md = fitMarkdown(html, URL_, { maxHtmlChars: 512 * 1024 })
    expect(md).not.toContain(LARGE_PAGE_END_MARKER)
    expect(md).toContain('# A very large page')
    expect(md).not.toContain('We use cookies on the large page')
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^_\[crawlfleet: the page's HTML has 3\.0 M characters; only the first 0\.5 M were converted\]_$/)
    expect(md.length).toBeLessThan(512 * 1024)
  })

  it('stays bounded at the default cap and keeps nothing of the page once done', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const html = largePageHtml(DEFAULT_MAX_HTML_CHARS + 2 * MiB)
    gc()
    const before = process.memoryUsage().heapUsed
    let md: string | null = rawMarkdown(html, URL_)
    expect(md.length).toBeLessThanOrEqual(DEFAULT_MAX_HTML_CHARS)
    expect(md).not.toContain(LARGE_PAGE_END_MARKER)
    expect(md).toContain("only the first 5.0 M were converted")
    md = null
    gc()
    // the tree of a 5 M-character page is a few hundred MB while it lives; none of it may stay
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * MiB)
  })
})
