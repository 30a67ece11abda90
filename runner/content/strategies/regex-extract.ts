import { REGEX_ALL, REGEX_PATTERN_NAMES } from '../../contract/crawl4ai/strategies.ts'
import { InvalidFieldError } from '../../contract/errors.ts'
import { own } from '../../contract/crawl4ai/serialization.ts'
import { pythonRegex } from './python-regex.ts'

// crawl4ai's RegexExtractionStrategy: its built-in patterns (chosen by IntFlag bits or names) and
// custom ones, each match as {url, label, value, span}. Case-insensitive and multi-line, as there.

export const BUILT_IN_PATTERNS: Readonly<Record<(typeof REGEX_PATTERN_NAMES)[number], string>> = {
  email: '[\\w.+-]+@[\\w-]+\\.[\\w.-]+',
  phone_intl: '\\+?\\d[\\d .()-]{7,}\\d',
  phone_us: '\\(?\\d{3}\\)?[ -. ]?\\d{3}[ -. ]?\\d{4}',
  url: 'https?://[^\\s"\'<>]+',
  ipv4: '(?:\\d{1,3}\\.){3}\\d{1,3}',
  ipv6: '[A-F0-9]{1,4}(?::[A-F0-9]{1,4}){7}',
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}',
  currency: '(?:USD|EUR|RM|\\$|€|£)\\s?\\d+(?:[.,]\\d{2})?',
  percentage: '\\d+(?:\\.\\d+)?%',
  number: '\\b\\d{1,3}(?:[,.\\s]\\d{3})*(?:\\.\\d+)?\\b',
  date_iso: '\\d{4}-\\d{2}-\\d{2}',
  date_us: '\\d{1,2}/\\d{1,2}/\\d{2,4}',
  time_24h: '\\b(?:[01]?\\d|2[0-3]):[0-5]\\d(?:[:.][0-5]\\d)?\\b',
  postal_us: '\\b\\d{5}(?:-\\d{4})?\\b',
  postal_uk: '\\b[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}\\b',
  html_color_hex: '#[0-9A-Fa-f]{6}\\b',
  twitter_handle: '@[\\w]{1,15}',
  hashtag: '#[\\w-]+',
  mac_addr: '(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}',
  iban: '[A-Z]{2}\\d{2}[A-Z0-9]{11,30}',
  credit_card: '\\b(?:4\\d{12}(?:\\d{3})?|5[1-5]\\d{14}|3[47]\\d{13}|6(?:011|5\\d{2})\\d{12})\\b',
}

/** crawl4ai's aliases (RegexExtractionStrategy.Email, .PhoneUS …) and the pattern names, to bits */
const ALIASES: Record<string, number> = { all: REGEX_ALL, nothing: 0 }
REGEX_PATTERN_NAMES.forEach((name, i) => {
  ALIASES[name] = 1 << i
  ALIASES[name.replace(/_/g, '')] = 1 << i
})
Object.assign(ALIASES, { hexcolor: ALIASES.html_color_hex, dateiso: ALIASES.date_iso, dateus: ALIASES.date_us, time24h: ALIASES.time_24h })

export function patternBits(pattern: number | string | string[] | undefined): number {
  if (pattern === undefined) return 0
  if (typeof pattern === 'number') return pattern & REGEX_ALL
  const names = typeof pattern === 'string' ? pattern.split('|') : pattern
  let bits = 0
  for (const raw of names) {
    const key = raw.trim().toLowerCase().replace(/^regexextractionstrategy\./, '').replace(/[_\s]/g, '')
    const bit = own(ALIASES, key) ?? own(ALIASES, raw.trim().toLowerCase())
    if (bit === undefined) throw new InvalidFieldError('crawler_config.extraction_strategy.pattern', `"${raw}" is not a built-in pattern (${REGEX_PATTERN_NAMES.join(', ')})`)
    bits |= bit
  }
  return bits
}

export interface RegexMatch {
  url: string
  label: string
  value: string
  span: [number, number]
}

const MAX_MATCHES = 10_000

export function regexExtract(url: string, content: string, o: { pattern?: number | string | string[]; custom?: Record<string, string> }): RegexMatch[] {
  const bits = patternBits(o.pattern)
  const patterns: [string, RegExp][] = []
  REGEX_PATTERN_NAMES.forEach((name, i) => {
    if (bits & (1 << i) && !(o.custom && Object.hasOwn(o.custom, name))) patterns.push([name, pythonRegex(BUILT_IN_PATTERNS[name], 'gim')])
  })
  for (const [label, source] of Object.entries(o.custom ?? {})) patterns.push([label, pythonRegex(source, 'gim', `crawler_config.extraction_strategy.custom.${label}`)])
  const out: RegexMatch[] = []
  for (const [label, re] of patterns) {
    for (const m of content.matchAll(re)) {
      if (m[0] === '') continue
      out.push({ url, label, value: m[0], span: [m.index, m.index + m[0].length] })
      if (out.length >= MAX_MATCHES) return out
    }
  }
  return out
}
