/** `href` resolved against `base`; null when empty or unparseable. Non-HTTP schemes come back as they are. */
export function absoluteUrl(href: string | null | undefined, base: string): string | null {
  const raw = href?.trim()
  if (!raw) return null
  try {
    return new URL(raw, base).href
  } catch {
    return null
  }
}

export function isHttpUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://')
}

/** `javascript:` links run code, they lead nowhere: never kept as a link target */
export function isScriptUrl(url: string): boolean {
  return /^\s*javascript:/i.test(url)
}

/** `src`, or the lazy-loading attribute a page left for its script, or the first `srcset` entry */
export function imageSource(img: Element): string | null {
  const src = img.getAttribute('src')?.trim()
  if (src && !src.startsWith('data:')) return src
  const lazy = img.getAttribute('data-src') ?? img.getAttribute('data-original') ?? img.getAttribute('srcset')?.trim().split(/\s+/)[0]
  return lazy?.trim() || src || null
}
