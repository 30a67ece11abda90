import { isDefaultSignature } from '../contract/signature.ts'
import type { Tier } from './types.ts'

/** Requests whose launch options are the default share the permanent browser; any other signature starts cold. */
export function initialTier(signature: string): Tier {
  return isDefaultSignature(signature) ? 'permanent' : 'cold'
}

/** A cold browser becomes hot on its `promoteAfterUses`-th use; the other tiers never change. */
export function tierAfterUse(tier: Tier, uses: number, promoteAfterUses: number): Tier {
  return tier === 'cold' && uses >= promoteAfterUses ? 'hot' : tier
}
