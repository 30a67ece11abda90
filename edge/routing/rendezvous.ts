// Rendezvous (highest-random-weight) hashing: every runner gets a pseudo-random weight per
// signature and the runners are tried heaviest first. Removing a runner moves only the signatures
// it was first for; adding one takes only the signatures it now wins.
//
// Weights come from two 32-bit lanes of FNV-1a + murmur3's finaliser (53 bits together), with the
// runner hashes cached: a decision over 100 runners is 100 xor-and-mix steps and a sort, a few
// microseconds, where a sha256 per runner would cost far more.

const RUNNER_HASH_CACHE_MAX = 4096
const runnerHashes = new Map<string, readonly [number, number]>()

function fnv1a(s: string, seed: number): number {
  let h = seed
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h
}

/** murmur3 fmix32: a bijection with full avalanche, so xor-ed inputs give unrelated outputs */
function fmix32(x: number): number {
  let h = x
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

function hashPair(s: string): readonly [number, number] {
  return [fmix32(fnv1a(s, 0x811c9dc5)), fmix32(fnv1a(s, 0x2f6b1d3b))]
}

function runnerHash(id: string): readonly [number, number] {
  let h = runnerHashes.get(id)
  if (!h) {
    if (runnerHashes.size >= RUNNER_HASH_CACHE_MAX) runnerHashes.clear()
    runnerHashes.set(id, (h = hashPair(id)))
  }
  return h
}

/** The weight of one runner for one key; exported for the distribution tests. */
export function rendezvousWeight(key: string, runnerId: string): number {
  return weight(hashPair(key), runnerHash(runnerId))
}

function weight(k: readonly [number, number], r: readonly [number, number]): number {
  return fmix32(k[0] ^ r[0]) * 2 ** 21 + (fmix32(k[1] ^ r[1]) >>> 11)
}

/** Runner ids in the order a request with this key tries them: a stable order per key. */
export function rankRunners(key: string, runnerIds: readonly string[]): string[] {
  const k = hashPair(key)
  const n = runnerIds.length
  const weights = new Float64Array(n)
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    weights[i] = weight(k, runnerHash(runnerIds[i]))
    order[i] = i
  }
  // ties are all but impossible with 53 bits; the id comparison keeps the order total anyway
  order.sort((a, b) => weights[b] - weights[a] || (runnerIds[a] < runnerIds[b] ? -1 : 1))
  return order.map((i) => runnerIds[i])
}
