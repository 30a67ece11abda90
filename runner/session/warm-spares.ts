import type { Browser } from 'playwright-core'
import type { PageSession } from './page-session.ts'

// Creating a page (a renderer process) is ~126 ms of a ~315 ms warm request with the headless
// shell, so a browser that serves default-context requests keeps a fresh, never-used page ready,
// made off the request path. Under saturation spares give nothing back (the CPU is the limit),
// so one is made only while a page slot is idle. A used context is never handed out again.

export interface WarmSparesOptions {
  /** spares kept per browser; 0 turns the feature off */
  readonly perBrowser: number
  open(browser: Browser): Promise<PageSession>
  /** true while a page slot is free */
  hasIdleSlot(): boolean
}

export class WarmSpares {
  private readonly ready = new Map<string, PageSession[]>()
  /** spares being made; a request that finds one on the way waits for it rather than making its own page */
  private readonly making = new Map<string, { readonly session: Promise<PageSession | undefined>; claimed: boolean }>()
  private closed = false

  constructor(private readonly o: WarmSparesOptions) {}

  /** A ready page on this browser (or the one being made for it), or undefined. */
  async take(browserId: string): Promise<PageSession | undefined> {
    const list = this.ready.get(browserId)
    while (list && list.length > 0) {
      const s = list.shift()!
      if (!s.page.isClosed()) return s
    }
    const making = this.making.get(browserId)
    if (!making || making.claimed) return undefined
    making.claimed = true
    const s = await making.session
    return s && !s.page.isClosed() ? s : undefined
  }

  /** Makes a spare for this browser in the background, if there is room and time for one. */
  replenish(browserId: string, browser: Browser): void {
    if (this.closed || this.o.perBrowser <= 0 || this.making.has(browserId)) return
    if ((this.ready.get(browserId)?.length ?? 0) >= this.o.perBrowser || !this.o.hasIdleSlot() || !browser.isConnected()) return
    const entry = {
      claimed: false,
      session: this.o
        .open(browser)
        .then((s): PageSession | undefined => {
          if (this.closed || !browser.isConnected()) return void s.close()
          if (entry.claimed) return s
          const list = this.ready.get(browserId) ?? []
          list.push(s)
          this.ready.set(browserId, list)
          return undefined
        })
        .catch(() => undefined) // a browser closing under us: simply no spare
        .finally(() => this.making.delete(browserId)),
    }
    this.making.set(browserId, entry)
  }

  count(): number {
    let n = 0
    for (const list of this.ready.values()) n += list.length
    return n
  }

  /**
   * Closes the spares of these browsers: the janitor passes those idle past CRAWLFLEET_SPARE_IDLE_SEC,
   * so a quiet runner gives their ~17 MB each back; the next request on the browser makes one again.
   */
  release(browserIds: Iterable<string>): number {
    let closed = 0
    for (const id of browserIds) {
      const list = this.ready.get(id)
      if (!list) continue
      this.ready.delete(id)
      for (const s of list) void s.close()
      closed += list.length
    }
    return closed
  }

  /** Closes every spare of browsers no longer in the pool. */
  prune(liveBrowserIds: ReadonlySet<string>): void {
    for (const [id, list] of this.ready) {
      if (liveBrowserIds.has(id)) continue
      this.ready.delete(id)
      for (const s of list) void s.close()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.ready.values()].flat()
    this.ready.clear()
    await Promise.all(all.map((s) => s.close()))
  }
}
