import { rankTexts } from '../bm25.ts'
import { own } from '../../contract/crawl4ai/serialization.ts'
import { FILTER_EXCLUDED_TAGS } from './pruning.ts'

// crawl4ai's BM25ContentFilter: the page's text blocks ranked by BM25 against the user's query (or,
// without one, the page's title, h1 and meta description); blocks scoring at least bm25_threshold
// after a tag weight (headings count more) are kept, in page order, without repeats.

export interface Bm25FilterOptions {
  readonly userQuery?: string
  /** @default 1.0 */
  readonly threshold?: number
}

const BLOCKS = 'p, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, pre, dd, dt, figcaption, summary'
const PRIORITY: Record<string, number> = { h1: 5, h2: 4, h3: 3, strong: 2, b: 1.5, em: 1.5, blockquote: 2, code: 2, pre: 1.5, th: 1.5 }
const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim()

export function pageQuery(doc: Document): string {
  const parts = [squash(doc.querySelector('title')?.textContent), squash(doc.querySelector('h1')?.textContent)]
  for (const name of ['keywords', 'description']) parts.push(squash(doc.querySelector(`meta[name="${name}"]`)?.getAttribute('content')))
  return parts.filter(Boolean).join(' ')
}

/** Mutates `body`; the HTML of each kept block. */
export function bm25Blocks(doc: Document, body: Element, o: Bm25FilterOptions = {}): string[] {
  const query = o.userQuery?.trim() || pageQuery(doc)
  if (!query) return []
  for (const tag of FILTER_EXCLUDED_TAGS) for (const el of [...body.querySelectorAll(tag)]) el.remove()
  // innermost blocks only, so a list item and its list are not both counted
  const blocks = [...body.querySelectorAll(BLOCKS)].filter((el) => !el.querySelector(BLOCKS) && squash(el.textContent))
  const texts = blocks.map((el) => squash(el.textContent))
  const threshold = o.threshold ?? 1.0
  const kept = rankTexts(texts, query)
    .map((s) => ({ ...s, score: s.score * (own(PRIORITY, blocks[s.index]!.tagName.toLowerCase()) ?? 1) }))
    .filter((s) => s.score >= threshold)
    .sort((a, b) => a.index - b.index)
  const seen = new Set<string>()
  const out: string[] = []
  for (const { index } of kept) {
    if (seen.has(texts[index]!)) continue
    seen.add(texts[index]!)
    out.push(blocks[index]!.outerHTML)
  }
  return out
}
