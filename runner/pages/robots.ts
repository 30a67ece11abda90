import type { Page } from 'playwright-core'
import { createRequire } from 'node:module'

// the package is CommonJS (module.exports = fn) while its types say `export default`
type RobotsParser = typeof import('robots-parser').default
const robotsParser = createRequire(import.meta.url)('robots-parser') as RobotsParser

// check_robots_txt: the site's robots.txt, read by the browser itself (so through the egress proxy
// and the URL policy, like any request), decides whether the page may be crawled. No robots.txt,
// or one that cannot be read, allows everything (crawl4ai does the same).

export async function robotsAllow(page: Page, url: string, userAgent: string, timeoutMs: number): Promise<boolean> {
  const robotsUrl = new URL('/robots.txt', url).href
  let text = ''
  try {
    const response = await page.goto(robotsUrl, { waitUntil: 'commit', timeout: timeoutMs })
    if (!response || response.status() >= 400) return true
    text = await response.text()
  } catch {
    return true
  }
  return robotsParser(robotsUrl, text).isAllowed(url, userAgent) !== false
}
