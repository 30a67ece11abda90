/**
 * How much longer than the deadline it sent the edge waits for a runner's answer: the runner enforces
 * the deadline itself, and its last bytes may still be on their way. The Lambda timeout allows for it.
 */
export const RUNNER_ANSWER_GRACE_MS = 2_000
