export interface EdgeClock {
  /** monotonic ms: deadlines and backoff never jump with the wall clock */
  now(): number
  /** wall-clock ms: only for the HMAC timestamp, which the runner compares with its own clock */
  wallMs(): number
}

export const systemClock: EdgeClock = { now: () => performance.now(), wallMs: () => Date.now() }
