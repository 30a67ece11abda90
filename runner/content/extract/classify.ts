// What an element's name, role and class/id words say about it, before any text is counted. The
// word lists follow what Readability-class extractors have converged on (class names are the one
// HTML-only signal every extractor uses); the rendered-page signals then decide what words cannot.
import type { Element } from './dom.ts'

/** never content, whatever they hold */
export const DROP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'canvas', 'svg', 'math', 'select', 'button', 'input', 'textarea',
  'link', 'meta', 'head', 'title', 'dialog', 'option', 'label',
])
/** page chrome by its element or role */
const CHROME_TAGS = new Set(['nav', 'aside', 'footer'])
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'dialog', 'alertdialog', 'search', 'menubar', 'menu', 'toolbar'])

/** blocks that read as one paragraph */
export const PARAGRAPH_TAGS = new Set(['p', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'td', 'th', 'blockquote', 'dd', 'dt', 'figcaption', 'caption', 'address'])
/** elements whose presence makes their parent a container, not a paragraph */
export const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'details', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2',
  'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'ul', 'tr', 'td', 'th', 'tbody', 'thead', 'center',
])
/** kept whole inside the content: what a page shows as data or code */
export const KEEP_WHOLE_TAGS = new Set(['pre', 'code', 'table', 'figure'])

const UNLIKELY = /-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|newsletter|subscribe|promo|outbrain|taboola|cookie|consent|paywall|share|sharing|recirc|trending|most-popular|mostpopular|read-more|readmore|more-stories|recommend/i
const MAYBE = /and|article|body|column|content|main|mathjax|shadow|story|entry|post|text/i
const POSITIVE = /article|body|content|entry|hentry|h-entry|main|post|text|blog|story|prose|rich-?text/i
const NEGATIVE = /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|byline|author|dateline|caption|credit|newsletter|subscribe|recirc|trending|taboola|social|toolbar|breadcrumb|pagination/i
const BYLINE = /byline|author|dateline|writtenby|p-author|timestamp|published|updated|date-?line|article-?info|article-?meta|post-?meta|entry-?meta/i
/** whole words of class and id that always mean chrome, wherever they are */
const CHROME_WORDS = new Set([
  'cookie', 'cookies', 'consent', 'gdpr', 'cmp', 'onetrust', 'ad', 'ads', 'adsbygoogle', 'advert', 'adverts', 'advertisement', 'sponsored',
  'newsletter', 'subscribe', 'social', 'share', 'sharing', 'sharebar', 'sidebar', 'popup', 'modal', 'breadcrumb', 'breadcrumbs', 'skip', 'taboola',
  'outbrain', 'related', 'recirculation', 'recirc', 'comments', 'comment', 'disqus', 'paywall', 'promo', 'toolbar', 'tags', 'tag-list',
])

/** dropped even when they hold long text: comment threads, consent walls */
const ALWAYS_CHROME_WORDS = new Set(['comments', 'disqus', 'cookie', 'consent', 'gdpr', 'onetrust', 'taboola', 'outbrain'])

export const attrWords = (el: Element): string => `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`.trim()

function words(el: Element): string[] {
  const s = attrWords(el)
  if (s.length < 2) return []
  return s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
}

/** Readability's class weight: ±25 for what the class and id say */
export function classWeight(el: Element): number {
  let w = 0
  for (const s of [el.attribs.class, el.attribs.id]) {
    if (!s) continue
    if (NEGATIVE.test(s)) w -= 25
    if (POSITIVE.test(s)) w += 25
  }
  return w
}

export const looksLikeByline = (el: Element): boolean => BYLINE.test(attrWords(el)) || el.attribs.rel === 'author' || /author/i.test(el.attribs.itemprop ?? '')

function isHiddenByMarkup(el: Element): boolean {
  const a = el.attribs
  if ('hidden' in a || a['aria-hidden'] === 'true') return true
  const style = a.style
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style)
}

export type Verdict = 'keep' | 'drop'

/** a GFM task list's checkbox: the Markdown keeps it as [x] or [ ] */
export function isTaskCheckbox(el: Element): boolean {
  if (el.name !== 'input' || el.attribs.type?.toLowerCase() !== 'checkbox') return false
  for (let p = el.parent, i = 0; p && i < 3; p = p.parent, i++) if ('name' in p && p.name === 'li') return true
  return false
}

/**
 * Chrome that is dropped before scoring: what the element is (nav, aside, footer, a dialog, a form
 * control), what its role says, what the markup hides, and class/id words that are never content.
 * Words that merely make an element unlikely (Readability's list) only count when it holds little
 * text of its own and no article: `contentChars` is its visible text length.
 */
export function chromeVerdict(el: Element, contentChars: number, longParagraphs: number, insideArticle: boolean): Verdict {
  const tag = el.name
  if (tag === 'body' || tag === 'html' || tag === 'main' || tag === 'article') return 'keep'
  if (tag === 'input' && isTaskCheckbox(el)) return 'keep'
  if (DROP_TAGS.has(tag) || isHiddenByMarkup(el)) return 'drop'
  const role = el.attribs.role ?? ''
  if (CHROME_TAGS.has(tag) || CHROME_ROLES.has(role)) return 'drop'
  if (tag === 'header' && !insideArticle) return 'drop'
  // an element holding several long paragraphs is a story's wrapper, whatever it is named
  const little = contentChars < 2000 && longParagraphs < 3
  const w = words(el)
  if (w.some((x) => ALWAYS_CHROME_WORDS.has(x)) || (little && w.some((x) => CHROME_WORDS.has(x)))) return 'drop'
  const s = attrWords(el)
  if (s && little && UNLIKELY.test(s) && !MAYBE.test(s) && tag !== 'table' && tag !== 'a') return 'drop'
  return 'keep'
}
