import { CrawlfleetError } from '../contract/errors.ts'
import type { PageWork } from '../session/page-work.ts'

/**
 * A job's pages wait out pressure instead of failing: nobody is waiting on the line for a 429, so a
 * page refused for a full queue (or a crashed browser) is tried again after its Retry-After, while
 * the job's deadline allows. A draining runner is not waited for.
 */
export function patientWork(work: PageWork, sleep: (ms: number, signal: AbortSignal) => Promise<void>): PageWork {
  return {
    ...work,
    async withPage(fn, o) {
      for (;;) {
        try {
          return await work.withPage(fn, o)
        } catch (err) {
          const waitMs = err instanceof CrawlfleetError && err.retryElsewhere && err.code !== 'DRAINING' ? (err.retryAfterSec ?? 1) * 1000 : undefined
          if (waitMs === undefined || work.deadline.signal.aborted || work.deadline.remainingMs() <= waitMs) throw err
          await sleep(waitMs, work.deadline.signal)
        }
      }
    },
  }
}
