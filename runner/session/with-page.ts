import type { Browser, Page } from 'playwright-core'
import type { BrowserRequest } from '../contract/browser-request.ts'
import { isDefaultContext } from '../contract/browser-request.ts'
import type { Lease } from '../pool/types.ts'
import { abortable } from '../util/with-deadline.ts'
import { classifyPageError } from './classify-error.ts'
import type { PageSession } from './page-session.ts'
import type { PageWorkFactory } from './page-work.ts'
import type { RequestDeadline } from './request-deadline.ts'
import type { WarmSpares } from './warm-spares.ts'

// A request's browser lifecycle, in order: admission (a page slot) → lease (the pool's browser for
// its signature) → a fresh context and page (or a warm spare) → the page work → context closed,
// lease released, spare replenished. Every step is undone in `finally`, whatever happens; the
// request's answer does not wait for the undoing.

export interface SessionDeps {
  readonly pool: { acquire(req: { launch: BrowserRequest['launch']; signature: string }, signal: AbortSignal): Promise<Lease<Browser>> }
  readonly admission: { run<T>(ticket: { signal: AbortSignal; caller?: string; deadlineAtMs?: number; waitUntilDeadline?: boolean }, fn: (queuedMs: number) => Promise<T>): Promise<T> }
  /** a caller's own proxy must pass the URL policy too, or it is a way into private networks */
  readonly checkProxy: (server: string) => Promise<void>
  readonly checkUrl: (url: string, field: string) => Promise<void>
  readonly spares: WarmSpares
  /** a fresh context and page whose traffic leaves through an egress session of its own (the caller's proxy its upstream) */
  readonly openSession: (browser: Browser, req: BrowserRequest) => Promise<PageSession>
}

export function pageWorkFactory(deps: SessionDeps): PageWorkFactory {
  return (browser, deadline, caller) => {
    let queuedMs = 0
    return {
      deadline,
      browser,
      withPage: (fn, o) => withPage(deps, browser, deadline, { caller, waitUntilDeadline: o?.waitUntilDeadline, onQueued: (ms) => (queuedMs += ms) }, fn),
      checkUrl: deps.checkUrl,
      queuedMs: () => queuedMs,
    }
  }
}

function withPage<T>(
  deps: SessionDeps,
  req: BrowserRequest,
  deadline: RequestDeadline,
  who: { caller: string | undefined; waitUntilDeadline?: boolean; onQueued(ms: number): void },
  fn: (page: Page, remainingMs: number) => Promise<T>,
): Promise<T> {
  // The answer goes out as soon as the page work has it. Closing the context (~12 ms measured on 2
  // cores, Chromium's work) follows it, holding the page slot and the lease until it is done, so admission
  // still counts a page until its context is gone.
  return new Promise<T>((answer, fail) => {
    deps.admission
      .run({ signal: deadline.signal, deadlineAtMs: deadline.deadlineAtMs, caller: who.caller, waitUntilDeadline: who.waitUntilDeadline }, async (queuedMs) => {
        who.onQueued(queuedMs)
        if (req.launch.proxy) await deps.checkProxy(req.launch.proxy.server)
        const lease = await deps.pool.acquire(req, deadline.signal)
        // spares are made without a caller's proxy
        const useSpare = isDefaultContext(req.context) && !req.launch.proxy
        let session: PageSession | undefined
        const closeOnAbort = () => void session?.close()
        deadline.signal.addEventListener('abort', closeOnAbort, { once: true })
        // Playwright calls on a browser that dies under them may never settle (a newPage in flight at
        // the crash hangs): the work races the deadline and the lease, which ends when the browser goes
        const stop = AbortSignal.any([deadline.signal, lease.signal])
        try {
          session =
            (useSpare ? await sessionOrAbort(deps.spares.take(lease.browserId), stop) : undefined) ??
            (await sessionOrAbort(deps.openSession(lease.browser, req), stop))
          if (deadline.signal.aborted) throw deadline.signal.reason
          answer(await abortable(fn(session.page, deadline.remainingMs()), stop))
        } catch (err) {
          const egress = session?.egress
          fail(
            classifyPageError(err, {
              signal: deadline.signal,
              crashed: lease.crashed,
              pageCrashed: session?.crashed() ?? false,
              egressFailure: egress && ((hostname) => egress.lastFailure(hostname)),
            }),
          )
        } finally {
          deadline.signal.removeEventListener('abort', closeOnAbort)
          // the next spare is on its way before the close: a request that follows this answer at once waits for it
          if (useSpare && !lease.crashed) deps.spares.replenish(lease.browserId, lease.browser)
          // a dead browser may never answer the close either
          await abortable(session?.close() ?? Promise.resolve(), lease.signal).catch(() => undefined)
          lease.release()
        }
      })
      .catch(fail) // refused (429), no browser for the signature, the caller's proxy refused
  })
}

/** The session when it comes, or the signal's reason; a session that arrives after the abort is closed. */
async function sessionOrAbort<S extends PageSession | undefined>(coming: Promise<S>, signal: AbortSignal): Promise<S> {
  try {
    return await abortable(coming, signal)
  } catch (err) {
    if (signal.aborted) void coming.then((s) => s?.close(), () => undefined)
    throw err
  }
}
