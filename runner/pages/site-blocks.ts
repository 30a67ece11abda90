// Blocks of text seen on the pages of one crawl, by site, so that a later page of a site can drop
// what the site repeats on every page (a newsletter box, an author's standing bio, a disclaimer).
// It lives for one request only: what one caller's pages showed never shapes another caller's
// results (a memory shared across callers would tell a caller which texts other callers fetched),
// and a crawl's own pages are what it asked for. Bounded: a few sites, a few thousand blocks each.

const MAX_SITES = 64
const MAX_BLOCKS_PER_SITE = 5000

export class SiteBlocks {
  private readonly bySite = new Map<string, Set<string>>()

  /** every block fingerprint recorded so far for the page's site (scheme, host and port) */
  seenBefore(pageUrl: string): string[] {
    const blocks = this.bySite.get(siteOf(pageUrl))
    return blocks ? [...blocks] : []
  }

  add(pageUrl: string, fingerprints: readonly string[]): void {
    const site = siteOf(pageUrl)
    let blocks = this.bySite.get(site)
    if (!blocks) {
      if (this.bySite.size >= MAX_SITES) return
      this.bySite.set(site, (blocks = new Set()))
    }
    for (const f of fingerprints) {
      if (blocks.size >= MAX_BLOCKS_PER_SITE) return
      blocks.add(f)
    }
  }
}

function siteOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}
