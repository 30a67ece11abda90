import { readFileSync } from 'node:fs'

const DIR = new URL('../../fixtures/site/content/', import.meta.url)

export const readFixture = (name: string): string => readFileSync(new URL(name, DIR), 'utf8')
export const readFixtureBytes = (name: string): Buffer => readFileSync(new URL(name, DIR))

export const ARTICLE_URL = 'https://fleet.example/articles/keeping-chromium-warm'

/** text that only the article's chrome carries: navigation, sidebar, ad, footer, cookie banner */
export const ARTICLE_CHROME = [
  'We use cookies to measure our audience',
  'Privacy choices',
  'Archive of every issue',
  'About the editors',
  'Follow us on Mastodon',
  'Sidebar pick: scaling Puppeteer farms',
  'Sponsored: try MegaHost VPS',
  'Advertisement: MegaHost dedicated Chromium servers',
  'Footer imprint',
  'Write to the editors',
]

/** text that only the article itself carries */
export const ARTICLE_BODY = [
  'Launching a browser for every request is the simplest way to render pages',
  'A pool of long-lived browsers turns that launch into a one-off cost.',
  'Most of a warm request is spent creating the renderer for the new page',
  'Under fifty concurrent pages the full build fell',
  'Callers never touch a browser directly',
]

export const ARTICLE_HEADINGS = ['# Keeping Chromium Warm', '## Why warm browsers win', '## Measured costs', '## A lease in code', '### Before you deploy']

// 0x80–0x9F of windows-1252 (0 = unassigned). Node 20's TextDecoder('windows-1252') decodes these
// bytes as C1 control characters, the ISO-8859-1 reading, so the tests decode as Chromium does.
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
]

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] || b : b)
  return out
}
