import { setTimeout as delay } from 'node:timers/promises'

export interface Clock {
  /** monotonic ms, so a wall-clock jump never expires every browser at once */
  now(): number
  /** resolves after ms; rejects with the signal's reason when aborted */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
}
