import { isProbablyReaderable, Readability } from '@mozilla/readability'
import { removeBoilerplate } from './boilerplate.ts'
import { protectTaskCheckboxes } from './gfm-rules.ts'

export type ExtractionMethod = 'readability' | 'heuristic'

export interface MainContent {
  readonly root: Element
  readonly method: ExtractionMethod
  /** the article title readability found; it drops a heading that repeats it, so callers may put it back */
  readonly title: string | null
}

const textLength = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim().length

/** The element a page marks as its content: `main`, `[role=main]`, or its only `article`. */
function semanticRoot(doc: Document): Element | null {
  const main = doc.querySelector('main, [role="main"]')
  if (main) return main
  const articles = doc.querySelectorAll('article')
  return articles.length === 1 ? articles[0]! : null
}

/** `doc` must have had its chrome removed */
function heuristic(doc: Document): MainContent {
  return { root: semanticRoot(doc) ?? doc.body, method: 'heuristic', title: null }
}

/**
 * The page's main content. Mutates `doc` (chrome is removed, readability rewrites the tree), so
 * take what else you need from it first. `reparse` gives a fresh copy of the page for the rare
 * case where readability ran and its result is rejected. `readability: false` goes straight to
 * the page's own markup.
 */
export function extractMainContent(doc: Document, reparse: () => Document, o: { readability?: boolean } = {}): MainContent {
  removeBoilerplate(doc.body)
  if (o.readability === false || !isProbablyReaderable(doc)) return heuristic(doc)
  const semantic = semanticRoot(doc)
  const semanticChars = semantic ? textLength(semantic) : 0
  protectTaskCheckboxes(doc.body)
  // keepClasses: the `language-*` class on code blocks is what the Markdown fence is labelled with
  const article = new Readability<Element>(doc, { keepClasses: true, serializer: (node) => node as Element }).parse()
  const root = article?.content
  // Readability sometimes settles on one section of a page whose own markup names the content
  // root; when it keeps less than half of that root's text, the page's markup is trusted instead.
  if (!root || textLength(root) < semanticChars / 2) {
    const fresh = reparse()
    removeBoilerplate(fresh.body)
    return heuristic(fresh)
  }
  return { root, method: 'readability', title: article.title?.trim() || null }
}
