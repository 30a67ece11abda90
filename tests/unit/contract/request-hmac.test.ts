import { describe, expect, it } from 'vitest'
import { hmacKeys, signingKey, signRequest, verifyRequest } from '../../../runner/contract/request-hmac.ts'
import { UnsignedRequestError } from '../../../runner/contract/errors.ts'

const secret = 'k'.repeat(32)
const signed = (over: Partial<{ method: string; path: string; body: string; ts: number }> = {}) => {
  const h = signRequest(secret, 'POST', '/html', 1_000_000, '{"url":"x"}')
  return {
    method: over.method ?? 'POST',
    pathWithQuery: over.path ?? '/html',
    body: over.body ?? '{"url":"x"}',
    signature: h['x-crawlfleet-hmac'],
    timestamp: String(over.ts ?? 1_000_000),
  }
}

describe('edge → runner HMAC', () => {
  it('accepts a fresh signature of the same request', () => {
    expect(() => verifyRequest(secret, signed(), 1_000_500)).not.toThrow()
  })
  it.each([
    ['another body', signed({ body: '{"url":"y"}' })],
    ['another path', signed({ path: '/pdf' })],
    ['another method', signed({ method: 'GET' })],
    ['another timestamp', signed({ ts: 1_000_001 })],
  ])('refuses %s', (_name, req) => {
    expect(() => verifyRequest(secret, req, 1_000_500)).toThrow(UnsignedRequestError)
  })
  it('refuses a stale or missing signature, and another secret', () => {
    expect(() => verifyRequest(secret, signed(), 1_000_000 + 31_000)).toThrow(/stale/)
    expect(() => verifyRequest(secret, { ...signed(), signature: undefined }, 1_000_000)).toThrow(/signed/)
    expect(() => verifyRequest('other', signed(), 1_000_000)).toThrow(/does not match/)
  })
  it('verifies with any key of a list and refuses a key not in it (rotation)', () => {
    expect(() => verifyRequest(['new-key', secret], signed(), 1_000_500)).not.toThrow()
    expect(() => verifyRequest([secret, 'new-key'], signed(), 1_000_500)).not.toThrow()
    expect(() => verifyRequest(['new-key', 'other'], signed(), 1_000_500)).toThrow(/does not match/)
    expect(() => verifyRequest([], signed(), 1_000_500)).toThrow(/at least one key/)
  })
  it('reads a key list from a setting: commas or new lines, blanks dropped, the first signs', () => {
    expect(hmacKeys(' a , b\nc,, ')).toEqual(['a', 'b', 'c'])
    expect(hmacKeys(undefined)).toEqual([])
    expect(signingKey('new,old')).toBe('new')
    expect(signingKey(' ')).toBeUndefined()
  })
})
