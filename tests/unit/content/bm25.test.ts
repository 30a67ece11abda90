import { describe, expect, it } from 'vitest'
import { InvalidFieldError } from '../../../runner/contract/errors.ts'
import { rankTexts, selectRelevant } from '../../../runner/content/bm25.ts'
import { splitBlocks } from '../../../runner/content/content-blocks.ts'
import { bm25Markdown, renderMarkdown } from '../../../runner/content/index.ts'
import { parseHtml } from '../../../runner/content/parse-html.ts'
import { tokenize } from '../../../runner/content/tokenize.ts'
import { readFixture } from './fixtures.ts'

const html = readFixture('sections.html')
const URL_ = 'https://ops.example/handbook'

describe('content blocks', () => {
  it('splits the page at headings, in page order, without the chrome', () => {
    const blocks = splitBlocks(parseHtml(html, URL_).document.body)
    expect(blocks.map((b) => b.elements[0]!.textContent)).toEqual([
      'Runner operations handbook',
      'Installing the runner',
      'Configuring memory limits',
      'Pricing plans',
      'Team history',
      'Troubleshooting crashes',
    ])
    expect(blocks[2]!.elements.map((e) => e.tagName)).toEqual(['H2', 'P', 'P'])
    expect(blocks.some((b) => b.text.includes('Copyright the handbook authors'))).toBe(false)
  })
})

describe('BM25 ranking', () => {
  const blocks = splitBlocks(parseHtml(html, URL_).document.body)
  const texts = blocks.map((b) => b.text)
  const heading = (i: number) => blocks[i]!.elements[0]!.textContent

  it('ranks the matching section first', () => {
    expect(heading(rankTexts(texts, 'memory limits cgroup')[0]!.index)).toBe('Configuring memory limits')
    expect(heading(rankTexts(texts, 'How much does the enterprise plan cost?')[0]!.index)).toBe('Pricing plans')
    expect(heading(rankTexts(texts, 'browser crashed out-of-memory kills')[0]!.index)).toBe('Troubleshooting crashes')
  })

  it('scores a rarer term above a common one', () => {
    const ranked = rankTexts(['apple pie', 'apple tart', 'apple crumble', 'pear crumble'], 'pie apple')
    expect(ranked[0]!.index).toBe(0)
    expect(ranked.map((r) => r.index)).toEqual([0, 1, 2])
  })

  it('favours the shorter of two texts with the same term count', () => {
    const ranked = rankTexts(['cgroup memory', 'cgroup memory plus a long tail of other words about nothing related at all', 'unrelated'], 'cgroup')
    expect(ranked.map((r) => r.index)).toEqual([0, 1])
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score)
  })

  it('keeps the blocks above the relative threshold in page order', () => {
    const texts = ['about pears', 'apples and pears', 'apples apples apples', 'nothing here']
    expect(selectRelevant(texts, 'apples', { minRelativeScore: 0.5 }).map((s) => s.index)).toEqual([1, 2])
    expect(selectRelevant(texts, 'apples', { minRelativeScore: 0.99 }).map((s) => s.index)).toEqual([2])
  })

  it('finds nothing when no term matches', () => {
    expect(rankTexts(texts, 'kubernetes helm')).toEqual([])
  })
})

describe('bm25Markdown', () => {
  it('keeps the matching section with its heading and drops unrelated ones', () => {
    const md = bm25Markdown(html, URL_, 'memory limits cgroup')
    expect(md.split('\n')[0]).toBe('## Configuring memory limits')
    expect(md).toContain('The runner reads its memory limit from the cgroup it runs in.')
    for (const gone of ['Pricing plans', 'Team history', 'Installing the runner', 'Memory limits guide', 'Copyright']) expect(md).not.toContain(gone)
  })

  it('returns several relevant sections in page order', () => {
    const md = bm25Markdown(html, URL_, 'runner browsers', { bm25: { minRelativeScore: 0.1 } })
    const a = md.indexOf('## Installing the runner')
    const b = md.indexOf('## Troubleshooting crashes')
    expect(a).toBeGreaterThanOrEqual(0)
    expect(b).toBeGreaterThan(a)
  })

  it('is empty when nothing matches', () => {
    expect(bm25Markdown(html, URL_, 'kubernetes helm')).toBe('')
  })

  it('needs a query', () => {
    expect(() => renderMarkdown(html, URL_, 'bm25', '  ')).toThrow(InvalidFieldError)
    try {
      renderMarkdown(html, URL_, 'bm25')
      expect.unreachable()
    } catch (err) {
      expect((err as InvalidFieldError).field).toBe('q')
      expect((err as InvalidFieldError).status).toBe(400)
    }
  })
})

describe('tokenize', () => {
  it('lower-cases, folds accents and plurals, and drops stop words', () => {
    expect(tokenize('The Cafés of Zürich have 2 memory limits, and the policies')).toEqual(['cafe', 'zurich', '2', 'memory', 'limit', 'policy'])
  })

  it('keeps words that merely end in s', () => {
    expect(tokenize('process status analysis')).toEqual(['process', 'status', 'analysis'])
  })
})
