import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Short-lived links to the dashboard: `?token=<expiry>.<mac>`, an HMAC of the expiry with a key every
 * edge instance shares (derived from the edge → runner secret), so a link one Lambda instance issued
 * works on any other. A token lets its holder read the pool (/dashboard, /pressure) until it expires,
 * and nothing else.
 */
export interface DashboardLinks {
  issue(): Promise<{ token: string; expiresAtMs: number }>
  verify(token: string | undefined): Promise<boolean>
}

export function dashboardLinks(o: { key(): Promise<Buffer>; wallMs(): number; ttlMs: number }): DashboardLinks {
  const mac = (key: Buffer, expiresAtMs: number) => createHmac('sha256', key).update(`crawlfleet-dashboard.${expiresAtMs}`).digest()
  return {
    async issue() {
      const expiresAtMs = Math.floor(o.wallMs() + o.ttlMs)
      return { token: `${expiresAtMs.toString(36)}.${mac(await o.key(), expiresAtMs).toString('base64url')}`, expiresAtMs }
    },
    async verify(token) {
      const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '')
      if (!m) return false
      const expiresAtMs = Number.parseInt(m[1]!, 36)
      if (!(expiresAtMs > o.wallMs()) || expiresAtMs > o.wallMs() + o.ttlMs + 60_000) return false
      const given = Buffer.from(m[2]!, 'base64url')
      const expected = mac(await o.key(), expiresAtMs)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}

/** The link key: from the shared HMAC secret when there is one, else random to this process (links then work only here). */
export function linkKeyFrom(secret: string | undefined, random: () => Buffer): Buffer {
  return secret ? createHmac('sha256', secret).update('crawlfleet dashboard links').digest() : random()
}
