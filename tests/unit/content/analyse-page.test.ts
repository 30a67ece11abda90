import { describe, expect, it, vi } from 'vitest'
import * as linkedom from 'linkedom'
import { analysePage, fitMarkdown, pageFacts, rawMarkdown, renderMarkdown } from '../../../runner/content/index.ts'
import { ARTICLE_URL, readFixture } from './fixtures.ts'

vi.mock('linkedom', async (importOriginal) => {
  const real = await importOriginal<typeof import('linkedom')>()
  return { ...real, parseHTML: vi.fn(real.parseHTML) }
})

const article = readFixture('article.html')

describe('analysePage', () => {
  it('gives the same outputs as the single-purpose calls', () => {
    const all = analysePage(article, ARTICLE_URL)
    expect(all.markdown.raw).toBe(rawMarkdown(article, ARTICLE_URL))
    expect(all.markdown.fit).toBe(fitMarkdown(article, ARTICLE_URL))
    const facts = pageFacts(article, ARTICLE_URL)
    expect(all.links).toEqual(facts.links)
    expect(all.media).toEqual(facts.media)
    expect(all.metadata).toEqual(facts.metadata)
    expect(all.trim).toBeNull()
  })

  it('builds one DOM of the whole page; the fit Markdown comes from a DOM of the main content alone', () => {
    const parse = vi.mocked(linkedom.parseHTML)
    parse.mockClear()
    const all = analysePage(article, ARTICLE_URL)
    const sizes = parse.mock.calls.map(([html]) => String(html).length)
    expect(sizes.filter((n) => n >= article.length)).toHaveLength(1)
    expect(sizes.filter((n) => n < article.length)).toEqual([expect.any(Number)])
    // the fixture is a small page; its chrome is still a quarter of it
    expect(sizes.find((n) => n < article.length)).toBeLessThan(article.length * 0.75)
    expect(all.fit.html.length).toBeLessThan(article.length * 0.75)
  })
})

describe('renderMarkdown', () => {
  it('dispatches on the filter', () => {
    expect(renderMarkdown(article, ARTICLE_URL, 'raw')).toBe(rawMarkdown(article, ARTICLE_URL))
    expect(renderMarkdown(article, ARTICLE_URL, 'fit')).toBe(fitMarkdown(article, ARTICLE_URL))
    const bm25 = renderMarkdown(article, ARTICLE_URL, 'bm25', 'lease release')
    expect(bm25).toContain('## A lease in code')
    expect(bm25).not.toContain('## Measured costs')
  })

  it('refuses a page URL that does not parse', () => {
    expect(() => renderMarkdown(article, 'not a url', 'raw')).toThrow(TypeError)
  })
})
