import type { ScorerSpec, UrlFilter } from './deep-crawl.ts'
import { own } from './serialization.ts'

// crawl4ai's deep-crawl URL logic (deep_crawling/filters.py, scorers.py, utils.normalize_url_for_deep_crawl),
// pure: the edge's frontier uses it, and tests run it without a network.

const TRACKING_PARAMS = ['utm_source', 'utm_medium', 'utm_campaign', 'ref', 'fbclid']

/** A discovered link as the frontier keys it: absolute, lower-case host, no fragment, no tracking parameters. */
export function normalizeDiscoveredUrl(href: string, base: string): string | null {
  let u: URL
  try {
    u = new URL(href.trim(), base)
  } catch {
    return null
  }
  u.hash = ''
  for (const p of TRACKING_PARAMS) u.searchParams.delete(p)
  if ([...u.searchParams].length) u.searchParams.sort()
  return u.href
}

/** crawl4ai's can_process_url: http(s) with a dotted host */
export function isCrawlableUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.includes('.')
  } catch {
    return false
  }
}

/** Python's fnmatch.translate, searched anywhere and anchored at the end, after crawl4ai's ** and {a,b} */
function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/\*\*/g, '\u0000').replace(/\{([^}]+)\}/g, (_m, alts: string) => `\u0001${alts.split(',').join('\u0002')}\u0003`)
  g = g.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\u0000/g, '.*')
  g = g.replace(/\u0001/g, '(').replace(/\u0002/g, '|').replace(/\u0003/g, ')')
  return new RegExp(`${g}$`, 's')
}

interface CompiledPattern {
  test(url: string): boolean
}

/** crawl4ai's URLPatternFilter categories: regex, *.ext, /prefix/*, *.domain with a scheme, else a glob */
export function compilePattern(pattern: string): CompiledPattern {
  if (pattern.startsWith('^') || pattern.endsWith('$') || pattern.includes('\\d')) {
    const re = new RegExp(pattern)
    return { test: (url) => re.test(url) }
  }
  const stars = pattern.split('*').length - 1
  if (stars === 1 && pattern.startsWith('*.')) {
    const ext = pattern.slice(2)
    return { test: (url) => (new URL(url).pathname.split('/').at(-1) ?? '').split('.').at(-1) === ext }
  }
  if (stars === 1 && pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -2)
    return {
      test: (url) => {
        const against = prefix.includes('://') ? url : new URL(url).pathname
        return against.startsWith(prefix) && (against.length === prefix.length || '/?#'.includes(against[prefix.length]!))
      },
    }
  }
  if (pattern.includes('://') && pattern.startsWith('*.')) {
    const re = new RegExp(`^${pattern.replace('*.', '[^/]+\\.')}`) // as crawl4ai: the rest is taken as a regex
    return { test: (url) => re.test(url) }
  }
  const re = globToRegExp(pattern)
  return { test: (url) => re.test(url) }
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain', html: 'text/html', htm: 'text/html', xhtml: 'application/xhtml+xml', css: 'text/css', csv: 'text/csv',
  js: 'application/javascript', bmp: 'image/bmp', gif: 'image/gif', jpeg: 'image/jpeg', jpg: 'image/jpeg', png: 'image/png',
  svg: 'image/svg+xml', ico: 'image/x-icon', webp: 'image/webp', mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg',
  mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', json: 'application/json', xml: 'application/xml',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xls: 'application/vnd.ms-excel',
  php: 'text/html', asp: 'text/html', aspx: 'text/html', jsp: 'text/html', md: 'text/markdown', rss: 'application/rss+xml',
}

function extensionOf(url: string): string {
  const last = new URL(url).pathname.split('/').at(-1) ?? ''
  const dot = last.lastIndexOf('.')
  return dot > 0 ? last.slice(dot + 1).toLowerCase() : ''
}

const hostOf = (url: string) => new URL(url).host.toLowerCase()
const underDomain = (host: string, parent: string) => host === parent || host.endsWith(`.${parent}`)

export type UrlPredicate = (url: string) => boolean

export function compileFilter(f: UrlFilter): UrlPredicate {
  const p = f.params as Record<string, never>
  switch (f.type) {
    case 'URLPatternFilter': {
      const patterns = (p.patterns as string[]).map(compilePattern)
      const reverse = p.reverse === true
      return (url) => patterns.some((pt) => pt.test(url)) !== reverse
    }
    case 'DomainFilter': {
      const allowed = (p.allowed_domains as string[] | undefined)?.map((d) => d.toLowerCase())
      const blocked = ((p.blocked_domains as string[] | undefined) ?? []).map((d) => d.toLowerCase())
      return (url) => {
        const host = hostOf(url)
        if (blocked.some((b) => underDomain(host, b))) return false
        return allowed === undefined || allowed.some((a) => underDomain(host, a))
      }
    }
    case 'ContentTypeFilter': {
      const allowed = (p.allowed_types as string[]).map((t) => t.toLowerCase())
      const check = p.check_extension !== false
      return (url) => {
        if (!check) return true
        const ext = extensionOf(url)
        if (!ext) return true
        const mime = own(MIME_BY_EXTENSION, ext)
        return mime !== undefined && allowed.some((a) => mime.includes(a))
      }
    }
    default:
      return () => true
  }
}

/** crawl4ai's FilterChain: every filter must pass */
export function compileFilterChain(filters: readonly UrlFilter[]): UrlPredicate {
  const compiled = filters.map(compileFilter)
  return (url) => compiled.every((f) => f(url))
}

const DEPTH_SCORES = [1.0, 0.5, 1 / 3, 0.25]

function pathDepth(url: string): number {
  return new URL(url).pathname.split('/').filter(Boolean).length
}

export type UrlScore = (url: string) => number

export function compileScorer(s: ScorerSpec | undefined): UrlScore | undefined {
  if (!s) return undefined
  const weight = s.params.weight ?? 1
  switch (s.type) {
    case 'KeywordRelevanceScorer': {
      const cs = s.params.case_sensitive === true
      const keywords = (s.params.keywords ?? []).map((k) => (cs ? k : k.toLowerCase()))
      return (url) => {
        const u = cs ? url : url.toLowerCase()
        const hits = keywords.filter((k) => u.includes(k)).length
        return keywords.length ? (hits / keywords.length) * weight : 0
      }
    }
    case 'PathDepthScorer': {
      const optimal = s.params.optimal_depth ?? 3
      return (url) => {
        const d = Math.abs(pathDepth(url) - optimal)
        return (d < 4 ? DEPTH_SCORES[d]! : 1 / (1 + d)) * weight
      }
    }
    case 'CompositeScorer': {
      const parts = (s.params.scorers ?? []).map(compileScorer).filter((x): x is UrlScore => x !== undefined)
      const normalize = s.params.normalize !== false
      return (url) => {
        const total = parts.reduce((sum, score) => sum + score(url), 0)
        return normalize && parts.length ? total / parts.length : total
      }
    }
    default:
      return undefined
  }
}
