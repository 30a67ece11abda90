import type { Browser, Page } from 'playwright-core'
import type { BrowserRequest } from '../contract/browser-request.ts'
import { isDefaultContext } from '../contract/browser-request.ts'
import type { Lease } from '../pool/types.ts'
import type { WarmSpares } from '../browser/warm-spares.ts'
import { openPageSession, type PageSession } from '../pages/page-session.ts'
import { classifyPageError, type FailureContext } from '../pages/classify-error.ts'
import type { RequestDeadline } from './request-deadline.ts'

export interface PageWorkDeps {
  readonly pool: { acquire(req: { launch: BrowserRequest['launch']; signature: string }, signal: AbortSignal): Promise<Lease<Browser>> }
  readonly admission: { run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> }
  /** a caller's own proxy must pass the URL policy too, or it is a way into private networks */
  readonly checkProxy: (server: string) => Promise<void>
  readonly spares: WarmSpares
  readonly egressFailure?: FailureContext['egressFailure']
}

/** Runs `fn` on a fresh page: a page slot (admission), a lease (pool), a new context, all returned in finally. */
export type WithPage = <T>(req: BrowserRequest, deadline: RequestDeadline, fn: (page: Page, remainingMs: number) => Promise<T>) => Promise<T>

export function createWithPage(deps: PageWorkDeps): WithPage {
  return (req, deadline, fn) =>
    deps.admission.run(deadline.signal, async () => {
      if (req.launch.proxy) await deps.checkProxy(req.launch.proxy.server)
      const lease = await deps.pool.acquire(req, deadline.signal)
      const useSpare = isDefaultContext(req.context)
      let session: PageSession | undefined
      const closeOnAbort = () => void session?.close()
      deadline.signal.addEventListener('abort', closeOnAbort, { once: true })
      try {
        session = (useSpare ? deps.spares.take(lease.browserId) : undefined) ?? (await openPageSession(lease.browser, req.context))
        if (deadline.signal.aborted) throw deadline.signal.reason
        return await fn(session.page, deadline.remainingMs())
      } catch (err) {
        throw classifyPageError(err, {
          signal: deadline.signal,
          crashed: lease.crashed,
          egressFailure: deps.egressFailure,
        })
      } finally {
        deadline.signal.removeEventListener('abort', closeOnAbort)
        await session?.close()
        lease.release()
        if (useSpare && !lease.crashed) deps.spares.replenish(lease.browserId, lease.browser)
      }
    })
}
