import { createHash, timingSafeEqual } from 'node:crypto'

const SHA256_HEX = /^[0-9a-f]{64}$/i

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * The API keys the edge accepts, held only as SHA-256 digests. A configured value of 64 hex
 * characters is taken as the digest of a key; anything else as the key itself.
 */
export class ApiKeySet {
  private readonly digests: readonly Buffer[]

  constructor(values: readonly string[]) {
    const unique = new Set(values.map((v) => v.trim()).filter(Boolean).map((v) => (SHA256_HEX.test(v) ? v.toLowerCase() : sha256Hex(v))))
    this.digests = [...unique].map((hex) => Buffer.from(hex, 'hex'))
  }

  get size(): number {
    return this.digests.length
  }

  /** Constant time in the key: every digest is compared, with no early exit on a match. */
  matches(presented: string): boolean {
    const digest = createHash('sha256').update(presented).digest()
    let found = false
    for (const d of this.digests) found = timingSafeEqual(digest, d) || found
    return found
  }
}
