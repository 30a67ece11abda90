import type { Sample } from './stats.ts'

/** What one request came back with. */
export interface Answer {
  readonly status: number
  /** seconds, from a Retry-After header */
  readonly retryAfterSec?: number
  /** counted under this name instead of the status, e.g. a refusal that lacked its Retry-After */
  readonly label?: string
  /** ms the runner says it held the request (its Server-Timing `total`), when it says */
  readonly runnerMs?: number
}

export interface LoadOptions {
  /** workers; each sends its next request as soon as the previous one is answered (closed loop) */
  readonly concurrency: number
  /** requests in all, across workers */
  readonly requests: number
  /** no request starts after this, so a slow cell cannot run away with the time budget */
  readonly maxDurationMs: number
  /** a worker's pause between requests */
  readonly thinkMs?: number
  /** resend a 429/503 after its Retry-After, up to this many times (0: a refusal is final) */
  readonly retries?: number
  send(i: number): Promise<Answer>
}

export interface LoadResult {
  readonly samples: Sample[]
  readonly wallMs: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function runClosedLoop(o: LoadOptions): Promise<LoadResult> {
  const samples: Sample[] = []
  const start = performance.now()
  const stopAt = start + o.maxDurationMs
  let next = 0
  const worker = async () => {
    while (next < o.requests && performance.now() < stopAt) {
      const i = next++
      const t0 = performance.now()
      let answer = await sendSafely(o, i)
      let retries = 0
      let lastSentAt = t0
      while (retries < (o.retries ?? 0) && isRetryable(answer)) {
        const waitMs = (answer.retryAfterSec ?? 1) * 1000 * (1 + Math.random() * 0.2) // jitter: refused clients do not come back in lockstep
        if (performance.now() + waitMs > stopAt) break
        await sleep(waitMs)
        retries++
        lastSentAt = performance.now()
        answer = await sendSafely(o, i)
      }
      const now = performance.now()
      samples.push({
        status: answer.status,
        ms: now - t0,
        ...(answer.label ? { label: answer.label } : {}),
        ...(retries ? { retries, lastAttemptMs: now - lastSentAt } : {}),
        ...(answer.runnerMs !== undefined ? { runnerMs: answer.runnerMs } : {}),
      })
      if (o.thinkMs) await sleep(o.thinkMs)
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  return { samples, wallMs: performance.now() - start }
}

function isRetryable(a: Answer): boolean {
  return (a.status === 429 || a.status === 503) && a.retryAfterSec !== undefined
}

async function sendSafely(o: LoadOptions, i: number): Promise<Answer> {
  try {
    return await o.send(i)
  } catch {
    return { status: 0 }
  }
}
