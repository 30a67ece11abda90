import { describe, expect, it } from 'vitest'
import { DEFAULT_SIGNATURE, launchOptionsFrom, signatureOf } from '../../../runner/contract/signature.ts'
import { initialTier, tierAfterUse } from '../../../runner/pool/tiering.ts'

describe('tiering', () => {
  it('puts the default signature in the permanent tier and any other one in cold', () => {
    expect(initialTier(DEFAULT_SIGNATURE)).toBe('permanent')
    expect(initialTier(signatureOf(launchOptionsFrom({ text_mode: true })))).toBe('cold')
  })

  it('promotes cold to hot on the promoteAfterUses-th use, not before', () => {
    expect(tierAfterUse('cold', 2, 3)).toBe('cold')
    expect(tierAfterUse('cold', 3, 3)).toBe('hot')
    expect(tierAfterUse('cold', 1, 1)).toBe('hot')
  })

  it('never moves the permanent or a hot browser', () => {
    expect(tierAfterUse('permanent', 100, 3)).toBe('permanent')
    expect(tierAfterUse('hot', 1, 3)).toBe('hot')
  })
})
