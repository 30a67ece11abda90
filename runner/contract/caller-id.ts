import { createHash } from 'node:crypto'

// The caller id the edge passes to runners (HEADER.caller): stable for one API key, and not
// reversible to it (SHA-256 under a fixed domain label, cut to 128 bits). Runners use it only to
// serve callers fairly; it never leaves the fleet.

const DOMAIN = 'crawlfleet-caller-v1\0'

export function callerIdOf(apiKey: string): string {
  return createHash('sha256').update(DOMAIN).update(apiKey).digest('hex').slice(0, 32)
}
