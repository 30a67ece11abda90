import { describe, expect, it } from 'vitest'
import { ApiKeySet, sha256Hex } from '../../../edge/middleware/api-key-set.ts'
import { once, parseApiKeysSecret, parseHmacSecret } from '../../../edge/secrets.ts'

describe('parseApiKeysSecret', () => {
  it.each([
    ['["k1","k2"]', ['k1', 'k2']],
    ['{"api_keys":["k1"," k2 "]}', ['k1', 'k2']],
    ['{"keys":"k1,k2"}', ['k1', 'k2']],
    ['k1,k2', ['k1', 'k2']],
    ['k1\nk2\n', ['k1', 'k2']],
  ])('reads %s', (text, keys) => {
    expect(parseApiKeysSecret(text)).toEqual(keys)
  })

  it('refuses a shape it does not know', () => {
    expect(() => parseApiKeysSecret('{"other":1}')).toThrow(/list of strings/)
    expect(() => parseApiKeysSecret('[1,2]')).toThrow(/list of strings/)
  })
})

describe('parseHmacSecret', () => {
  it('takes the plain text or the hmac_secret field', () => {
    expect(parseHmacSecret(' abc \n')).toBe('abc')
    expect(parseHmacSecret('{"hmac_secret":"xyz"}')).toBe('xyz')
    expect(() => parseHmacSecret('')).toThrow(/empty/)
    expect(() => parseHmacSecret('{"nope":"x"}')).toThrow(/hmac_secret/)
  })
})

describe('once', () => {
  it('keeps a success and retries after a failure', async () => {
    let calls = 0
    const load = once(async () => {
      calls++
      if (calls === 1) throw new Error('first fails')
      return calls
    })
    await expect(load()).rejects.toThrow('first fails')
    expect(await load()).toBe(2)
    expect(await load()).toBe(2)
    expect(calls).toBe(2)
  })
})

describe('ApiKeySet', () => {
  it('matches plain and hashed keys, and nothing else', () => {
    const set = new ApiKeySet(['alpha', sha256Hex('beta'), '', '  '])
    expect(set.size).toBe(2)
    expect(set.matches('alpha')).toBe(true)
    expect(set.matches('beta')).toBe(true)
    expect(set.matches('alphA')).toBe(false)
    expect(set.matches(sha256Hex('alpha'))).toBe(false)
    expect(new ApiKeySet([]).matches('')).toBe(false)
  })
})
