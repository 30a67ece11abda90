import { absoluteUrl, imageSource, isHttpUrl, isScriptUrl } from './urls.ts'

export interface PageLink {
  readonly href: string
  readonly text: string
}

export interface PageImage {
  readonly src: string
  readonly alt: string
}

export interface PageFacts {
  readonly links: { readonly internal: PageLink[]; readonly external: PageLink[] }
  readonly media: { readonly images: PageImage[] }
  readonly metadata: Record<string, string | null>
}

const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim()
// "www.example.com" and "example.com" are one site to a reader
const siteOf = (host: string) => host.toLowerCase().replace(/^www\./, '')

function linkText(a: Element): string {
  return squash(a.textContent) || squash(a.getAttribute('aria-label')) || squash(a.getAttribute('title')) || squash(a.querySelector('img[alt]')?.getAttribute('alt'))
}

/**
 * Links split by the page's own site (http and https only for internal; mailto: and tel: count as
 * external; javascript: is dropped), deduplicated by absolute URL with the first non-empty text.
 */
export function collectLinks(doc: Document, baseUrl: string, pageUrl: string): PageFacts['links'] {
  const site = siteOf(new URL(pageUrl).hostname)
  const byHref = new Map<string, { href: string; text: string; internal: boolean }>()
  for (const a of doc.querySelectorAll('a[href]')) {
    const raw = a.getAttribute('href')!
    if (isScriptUrl(raw)) continue
    const href = absoluteUrl(raw, baseUrl)
    if (!href) continue
    let internal: boolean
    if (isHttpUrl(href)) internal = siteOf(new URL(href).hostname) === site
    else if (/^(mailto|tel):/i.test(href)) internal = false
    else continue
    const seen = byHref.get(href)
    if (!seen) byHref.set(href, { href, text: linkText(a), internal })
    else if (!seen.text) seen.text = linkText(a)
  }
  const internal: PageLink[] = []
  const external: PageLink[] = []
  for (const { href, text, internal: isInternal } of byHref.values()) (isInternal ? internal : external).push({ href, text })
  return { internal, external }
}

export function collectImages(doc: Document, baseUrl: string): PageImage[] {
  const bySrc = new Map<string, PageImage>()
  for (const img of doc.querySelectorAll('img')) {
    const src = absoluteUrl(imageSource(img), baseUrl)
    if (!src || src.startsWith('data:') || bySrc.has(src)) continue
    bySrc.set(src, { src, alt: squash(img.getAttribute('alt')) })
  }
  return [...bySrc.values()]
}

const FIXED_KEYS = ['title', 'description', 'keywords', 'author', 'og:title', 'og:description', 'og:image', 'canonical', 'language'] as const
const URL_KEYS = new Set(['og:image', 'og:url', 'twitter:image', 'canonical'])

/** The fixed keys are always present (null when the page has none); other og:* and twitter:* tags are added as found. */
export function collectMetadata(doc: Document, baseUrl: string): Record<string, string | null> {
  const meta: Record<string, string | null> = Object.fromEntries(FIXED_KEYS.map((k) => [k, null]))
  const set = (key: string, value: string | null | undefined) => {
    const v = squash(value)
    if (v && meta[key] == null) meta[key] = URL_KEYS.has(key) ? absoluteUrl(v, baseUrl) : v
  }
  set('title', doc.querySelector('title')?.textContent)
  for (const m of doc.querySelectorAll('meta[content]')) {
    const key = (m.getAttribute('property') ?? m.getAttribute('name') ?? '').trim().toLowerCase()
    if ((FIXED_KEYS as readonly string[]).includes(key) || key.startsWith('og:') || key.startsWith('twitter:')) set(key, m.getAttribute('content'))
    else if (m.getAttribute('http-equiv')?.toLowerCase() === 'content-language') set('language', m.getAttribute('content'))
  }
  for (const l of doc.querySelectorAll('link[rel][href]')) {
    if (l.getAttribute('rel')!.toLowerCase().split(/\s+/).includes('canonical')) set('canonical', l.getAttribute('href'))
  }
  // the element's attribute wins over the http-equiv fallback
  const lang = squash(doc.documentElement?.getAttribute('lang'))
  if (lang) meta.language = lang
  return meta
}

export function collectPageFacts(doc: Document, baseUrl: string, pageUrl: string): PageFacts {
  return { links: collectLinks(doc, baseUrl, pageUrl), media: { images: collectImages(doc, baseUrl) }, metadata: collectMetadata(doc, baseUrl) }
}
