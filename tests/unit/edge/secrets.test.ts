import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiKeySet, sha256Hex } from '../../../edge/middleware/api-key-set.ts'
import { cached, once, parseApiKeysSecret, parseHmacSecret, readOriginSecrets } from '../../../edge/secrets.ts'

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
  it('takes the plain text or the hmac_secret field, as a list whose first key signs', () => {
    expect(parseHmacSecret(' abc \n')).toEqual(['abc'])
    expect(parseHmacSecret('new,old')).toEqual(['new', 'old'])
    expect(parseHmacSecret('["new","old"]')).toEqual(['new', 'old'])
    expect(parseHmacSecret('{"hmac_secret":"xyz"}')).toEqual(['xyz'])
    expect(parseHmacSecret('{"hmac_secret":["n","o"]}')).toEqual(['n', 'o'])
    expect(() => parseHmacSecret('')).toThrow(/empty/)
    expect(() => parseHmacSecret(' , ')).toThrow(/empty/)
    expect(() => parseHmacSecret('{"nope":"x"}')).toThrow(/hmac_secret/)
    expect(() => parseHmacSecret('[1]')).toThrow(/list of strings/)
  })
})

describe('cached', () => {
  const clock = () => {
    let t = 0
    return { now: () => t, advance: (ms: number) => void (t += ms) }
  }

  it('keeps a success for the TTL, then reads again; retries a failed first read', async () => {
    const c = clock()
    let calls = 0
    const load = cached(
      async () => {
        calls++
        if (calls === 1) throw new Error('first fails')
        return calls
      },
      { ttlMs: 1000, now: c.now },
    )
    await expect(load()).rejects.toThrow('first fails')
    expect(await load()).toBe(2)
    c.advance(999)
    expect(await load()).toBe(2)
    c.advance(1)
    expect(await load()).toBe(3)
    expect(calls).toBe(3)
  })

  it('reads once for concurrent callers, and keeps serving the old value while a refresh fails', async () => {
    const c = clock()
    const values: (number | Error)[] = [1, new Error('throttled'), 2]
    let calls = 0
    const errors: unknown[] = []
    const load = cached(
      async () => {
        const v = values[calls++]
        if (v instanceof Error) throw v
        return v
      },
      { ttlMs: 1000, retryMs: 100, now: c.now, onRefreshError: (e) => errors.push(e) },
    )
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1])
    expect(calls).toBe(1)
    c.advance(1000)
    expect(await load()).toBe(1)
    expect(errors).toHaveLength(1)
    c.advance(99)
    expect(await load()).toBe(1)
    expect(calls).toBe(2)
    c.advance(1)
    expect(await load()).toBe(2)
  })
})

describe('readOriginSecrets', () => {
  const sm = mockClient(SecretsManagerClient)
  afterAll(() => sm.restore())
  const client = new SecretsManagerClient({ region: 'us-east-1' })

  it('accepts the current and the previous version of the secret', async () => {
    sm.reset()
    sm.on(GetSecretValueCommand, { SecretId: 'origin', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'new ' })
    sm.on(GetSecretValueCommand, { SecretId: 'origin', VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: 'old' })
    expect(await readOriginSecrets(client, 'origin')).toEqual(['new', 'old'])
  })

  it('takes the current value alone when there is no previous version, and fails on other errors', async () => {
    sm.reset()
    sm.on(GetSecretValueCommand, { SecretId: 'origin', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'only' })
    sm.on(GetSecretValueCommand, { SecretId: 'origin', VersionStage: 'AWSPREVIOUS' }).rejects(new ResourceNotFoundException({ message: 'no such version', $metadata: {} }))
    expect(await readOriginSecrets(client, 'origin')).toEqual(['only'])
    sm.on(GetSecretValueCommand, { SecretId: 'origin', VersionStage: 'AWSPREVIOUS' }).rejects(new Error('AccessDenied'))
    await expect(readOriginSecrets(client, 'origin')).rejects.toThrow('AccessDenied')
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
