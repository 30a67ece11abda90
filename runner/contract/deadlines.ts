/**
 * How much longer than the deadline it sent the edge waits for a runner's answer: the runner enforces
 * the deadline itself, and its last bytes may still be on their way. The Lambda timeout allows for it.
 */
export const RUNNER_ANSWER_GRACE_MS = 2_000

/**
 * Settles like `work`, or rejects with `onTimeout()` after `ms` (the work itself keeps running); the
 * timer is cleared either way. For the edge and the contract, which have no clock of their own to
 * pass (the runner's own code uses runner/util/with-deadline.ts).
 */
export function raceTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
