import { absoluteUrl, imageSource, isHttpUrl, isScriptUrl } from '../urls.ts'

// crawl4ai's link and media lists (content_scraping_strategy.py): every link with its text, title
// and base domain, split internal/external; excluded links and images are removed from the tree
// too, so they are gone from cleaned_html and the Markdown as well.

export type C4aLink = {
  href: string
  text: string
  title: string
  base_domain: string
}

export type C4aMedia = {
  src: string
  alt: string
  desc: string
  score: number
  type: 'image' | 'video' | 'audio'
  group_id: number
  format: string | null
  width: number | null
}

export interface LinkRules {
  readonly excludeExternalLinks?: boolean
  readonly excludeInternalLinks?: boolean
  /** exclude_domains plus, with exclude_social_media_links, the social media domains */
  readonly excludeDomains?: readonly string[]
  readonly excludeExternalImages?: boolean
}

const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim()

/** "www.example.com" → "example.com"; crawl4ai's get_base_domain keeps the registrable part, roughly */
export function baseDomain(hostOrUrl: string): string {
  let host = hostOrUrl
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(hostOrUrl)) host = new URL(hostOrUrl).hostname
  } catch {
    return ''
  }
  host = host.toLowerCase().replace(/^www\./, '')
  if (/^[\d.]+$/.test(host) || host.includes(':')) return host
  const parts = host.split('.')
  // co.uk, com.au …: keep three labels when the second-level one is short
  const keep = parts.length > 2 && parts.at(-2)!.length <= 3 && parts.at(-1)!.length === 2 ? 3 : 2
  return parts.slice(-keep).join('.')
}

const inDomains = (domain: string, list: readonly string[]) => list.some((d) => domain === baseDomain(d) || domain.endsWith(`.${d.toLowerCase()}`))

export function collectC4aLinks(root: Element, baseUrl: string, pageUrl: string, rules: LinkRules): { internal: C4aLink[]; external: C4aLink[] } {
  const site = baseDomain(pageUrl)
  const internal = new Map<string, C4aLink>()
  const external = new Map<string, C4aLink>()
  for (const a of [...root.querySelectorAll('a[href]')]) {
    const raw = a.getAttribute('href')!.trim()
    if (!raw || isScriptUrl(raw)) continue
    const href = absoluteUrl(raw, baseUrl)
    if (!href) continue
    const isHttp = isHttpUrl(href)
    const domain = isHttp ? baseDomain(href) : ''
    const isExternal = !isHttp || domain !== site
    const link: C4aLink = { href, text: squash(a.textContent), title: squash(a.getAttribute('title')), base_domain: isExternal ? domain : site }
    if (isExternal) {
      if (rules.excludeExternalLinks || (domain && inDomains(domain, rules.excludeDomains ?? []))) {
        a.remove()
        continue
      }
      if (!external.has(href)) external.set(href, link)
    } else {
      if (rules.excludeInternalLinks) continue
      if (!internal.has(href)) internal.set(href, link)
    }
  }
  return { internal: [...internal.values()], external: [...external.values()] }
}

function imageFormat(src: string): string | null {
  const m = /\.([a-z0-9]{2,5})(?:[?#]|$)/i.exec(src)
  return m ? m[1]!.toLowerCase() : null
}

export function collectC4aMedia(root: Element, baseUrl: string, pageUrl: string, rules: LinkRules): { images: C4aMedia[]; videos: C4aMedia[]; audios: C4aMedia[] } {
  const site = baseDomain(pageUrl)
  const images: C4aMedia[] = []
  const seen = new Set<string>()
  let group = 0
  for (const img of [...root.querySelectorAll('img')]) {
    const src = absoluteUrl(imageSource(img), baseUrl)
    if (!src || src.startsWith('data:')) continue
    const domain = isHttpUrl(src) ? baseDomain(src) : ''
    if ((domain && inDomains(domain, rules.excludeDomains ?? [])) || (rules.excludeExternalImages && domain !== site)) {
      img.remove()
      continue
    }
    if (seen.has(src)) continue
    seen.add(src)
    const width = Number.parseInt(img.getAttribute('width') ?? '', 10)
    const desc = squash(img.closest('figure')?.querySelector('figcaption')?.textContent ?? img.parentElement?.textContent ?? '').slice(0, 300)
    const alt = squash(img.getAttribute('alt'))
    images.push({ src, alt, desc, score: (alt ? 1 : 0) + (desc ? 1 : 0) + (Number.isFinite(width) && width > 150 ? 1 : 0), type: 'image', group_id: group++, format: imageFormat(src), width: Number.isFinite(width) ? width : null })
  }
  const av = (tag: 'video' | 'audio'): C4aMedia[] => {
    const out: C4aMedia[] = []
    for (const el of root.querySelectorAll(tag)) {
      const sources = [el.getAttribute('src'), ...[...el.querySelectorAll('source')].map((s) => s.getAttribute('src'))]
      for (const s of sources) {
        const src = s ? absoluteUrl(s, baseUrl) : null
        if (src) out.push({ src, alt: squash(el.getAttribute('aria-label')), desc: '', score: 0, type: tag, group_id: group, format: imageFormat(src), width: null })
      }
      group++
    }
    return out
  }
  return { images, videos: av('video'), audios: av('audio') }
}
