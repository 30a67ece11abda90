// Page boilerplate ("chrome" in web design): what surrounds the content on most sites (navigation, banners, sidebars, footers,
// cookie and consent dialogs, ads). Used by the BM25 block splitter on the linkedom tree; the
// main-content extractor (./extract/) has its own rules on htmlparser2's tree (./extract/classify.ts).

const CHROME_TAGS = new Set(['NAV', 'ASIDE', 'FOOTER', 'DIALOG', 'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'SVG', 'CANVAS'])
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'dialog', 'alertdialog', 'search', 'menubar', 'menu'])
// Whole tokens of class and id, so "ad" never matches "head", "shadow" or "download".
const STRONG_TOKENS = new Set([
  'cookie', 'cookies', 'consent', 'gdpr', 'cmp', 'onetrust',
  'ad', 'ads', 'adsbygoogle', 'advert', 'adverts', 'advertisement', 'sponsor', 'sponsored', 'promo',
  'newsletter', 'subscribe', 'social', 'share', 'sharing', 'sidebar', 'popup', 'modal', 'breadcrumb', 'breadcrumbs', 'skip',
])
// Tokens that also name parts of an article ("article-header", "post-footer"), so they count only
// outside the main content.
const WEAK_TOKENS = new Set(['nav', 'navbar', 'navigation', 'menu', 'header', 'footer', 'masthead', 'related', 'comments', 'banner', 'toolbar'])
const MAIN_SELECTOR = 'main, article, [role="main"]'

function tokens(el: Element): string[] {
  const words = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`
  if (words.length < 2) return []
  return words
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
}

function isHidden(el: Element): boolean {
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true
  const style = el.getAttribute('style')
  return style !== null && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style)
}

/** true for an element that is boilerplate as a whole; never for one that holds the main content */
export function isBoilerplateElement(el: Element): boolean {
  const tag = el.tagName.toUpperCase()
  if (tag === 'BODY' || tag === 'HTML' || tag === 'MAIN' || tag === 'ARTICLE') return false
  let verdict = CHROME_TAGS.has(tag) || isHidden(el) || CHROME_ROLES.has(el.getAttribute('role') ?? '')
  if (tag === 'HEADER') verdict ||= el.parentElement?.closest(MAIN_SELECTOR) == null
  if (!verdict) {
    const t = tokens(el)
    verdict = t.some((w) => STRONG_TOKENS.has(w)) || (t.some((w) => WEAK_TOKENS.has(w)) && el.closest(MAIN_SELECTOR) == null)
  }
  // A layout wrapper named "modal-open" or "sidebar-layout" may hold the article itself.
  return verdict && el.querySelector(MAIN_SELECTOR) == null
}

/** removes boilerplate under `root` in place; returns how many subtrees went */
export function removeBoilerplate(root: Element): number {
  const doomed: Element[] = []
  const walk = (el: Element) => {
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) {
      if (isBoilerplateElement(c)) doomed.push(c)
      else walk(c)
    }
  }
  walk(root)
  for (const el of doomed) el.remove()
  return doomed.length
}
