/**
 * The load store: where runners publish how busy they are and every edge instance picks the least
 * busy one, in one atomic step. A Lambda edge instance holds one request and no memory of the
 * fleet; probing a sample of runners leaves the busiest runner ~1.25 × the mean at 4 requests in
 * flight per runner, because the few runners a nearly even fleet holds below the rest are rarely
 * in the sample. The store sees them all (README, "Edge as a Lambda fleet").
 *
 * Redis or Valkey (ElastiCache in the cloud), two sorted sets under one hash tag (one cluster slot):
 *  - `load`: member = the runner's id as edge discovery names it (`<ip>:<port>`), score = its page
 *    requests from the moment an edge picks it until the runner has answered. An edge's pick adds
 *    1 atomically, so the next pick already sees it; the runner subtracts 1 when that request ends,
 *    and adds and subtracts 1 for requests that reach it without a pick (launch signatures, edges
 *    placing without the store). Counts written as absolutes instead erase the picks still on
 *    their way: 1.49-1.50 × the mean at m = 4 over 1,000 instances in the simulation.
 *  - `seen`: member = the same id, score = the store's clock (ms) at the runner's last write. A
 *    runner silent for `staleMs` is dropped by the next pick (it adds itself back when it writes).
 * An edge that cannot reach the runner it picked takes that runner out (WITHDRAW; a live one writes
 * itself back a heartbeat later at most); a pick the edge does not use it gives back (RELEASE); one
 * lost with its Lambda instance is repaired by the runner's heartbeat: when the store's count and its own
 * differ by the same amount twice in a row, a heartbeat apart, it corrects the store.
 * Every script reads the store's clock (TIME), so no two hosts' clocks are compared.
 */
export const LOAD_STORE_KEYS = { load: '{crawlfleet}:load', seen: '{crawlfleet}:seen' } as const

/** a runner republishes its count this often while nothing changes: its heartbeat */
export const LOAD_STORE_HEARTBEAT_MS = 1_000

/** a runner not heard from for this long is no longer picked */
export const LOAD_STORE_STALE_MS = 5_000

/**
 * KEYS: load, seen. ARGV: runner id, change of its count since its last write, its own count now.
 * A runner the store does not hold (new, or dropped as stale) is set to its own count. Returns the
 * store's count after the write.
 */
export const PUBLISH_LOAD_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  score = redis.call('ZINCRBY', KEYS[1], tonumber(ARGV[2]), ARGV[1])
else
  redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
  score = ARGV[3]
end
redis.call('ZADD', KEYS[2], now, ARGV[1])
return tostring(score)
`

/** KEYS: load. ARGV: runner id. An edge gives back a pick whose request did not reach the runner. */
export const RELEASE_PICK_SCRIPT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZINCRBY', KEYS[1], -1, ARGV[1]) end
return 1
`

/**
 * KEYS: load, seen. ARGV: staleMs, then the ids the edge may not use (in backoff, or unknown to
 * its discovery). Returns the least loaded fresh runner's id, its count raised by one, or nil.
 * Ties go to the lowest id (sorted-set order); the raised count moves the next pick on at once.
 */
export const PICK_RUNNER_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = now - tonumber(ARGV[1])
local skip = {}
for i = 2, #ARGV do skip[ARGV[i]] = true end
local offset = 0
while true do
  local batch = redis.call('ZRANGE', KEYS[1], offset, offset + 15)
  if #batch == 0 then return false end
  for _, id in ipairs(batch) do
    local seen = redis.call('ZSCORE', KEYS[2], id)
    if seen == false or tonumber(seen) < oldest then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZREM', KEYS[2], id)
      offset = offset - 1
    elseif not skip[id] then
      redis.call('ZINCRBY', KEYS[1], 1, id)
      return id
    end
  end
  offset = offset + #batch
end
`

/** KEYS: load, seen. ARGV: runner id. A draining runner takes itself out; an edge that cannot reach a picked runner takes it out. */
export const WITHDRAW_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`

/**
 * ioredis's client class from `await import('ioredis')`: Node gives it as the named export; an
 * esbuild bundle's CommonJS interop (the edge's Lambda bundle) only as the default.
 */
export function redisClassOf<T>(mod: { readonly Redis?: T; readonly default: unknown }): T {
  return mod.Redis ?? (mod.default as T)
}
