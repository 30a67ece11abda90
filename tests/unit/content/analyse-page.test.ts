import { describe, expect, it, vi } from 'vitest'
import * as linkedom from 'linkedom'
import { Readability } from '@mozilla/readability'
import { analysePage, fitMarkdown, pageFacts, rawMarkdown, renderMarkdown } from '../../../runner/content/index.ts'
import { ARTICLE_URL, readFixture } from './fixtures.ts'

vi.mock('linkedom', async (importOriginal) => {
  const real = await importOriginal<typeof import('linkedom')>()
  return { ...real, parseHTML: vi.fn(real.parseHTML) }
})
vi.mock('@mozilla/readability', async (importOriginal) => {
  const real = await importOriginal<typeof import('@mozilla/readability')>()
  const Readability = vi.fn(function (this: unknown, ...args: ConstructorParameters<typeof real.Readability>) {
    return new real.Readability(...args)
  })
  return { ...real, Readability }
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

  it('parses the page once', () => {
    const parse = vi.mocked(linkedom.parseHTML)
    parse.mockClear()
    analysePage(article, ARTICLE_URL)
    expect(parse).toHaveBeenCalledTimes(1)
  })
})

describe('fit on long pages', () => {
  it('uses readability up to maxReadabilityChars and the page markup beyond', () => {
    const readability = vi.mocked(Readability)
    readability.mockClear()
    const byReadability = fitMarkdown(article, ARTICLE_URL, { maxReadabilityChars: article.length })
    expect(readability).toHaveBeenCalledTimes(1)
    const byMarkup = fitMarkdown(article, ARTICLE_URL, { maxReadabilityChars: article.length - 1 })
    expect(readability).toHaveBeenCalledTimes(1)
    for (const md of [byReadability, byMarkup]) {
      expect(md).toContain('## Measured costs')
      expect(md).not.toContain('Follow us on Mastodon')
    }
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
