import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { CrawlfleetError, QueueFullError } from '../../../runner/contract/errors.ts'
import type { Lease } from '../../../runner/pool/types.ts'
import type { PageSession } from '../../../runner/session/page-session.ts'
import type { RequestDeadline } from '../../../runner/session/request-deadline.ts'
import { WarmSpares } from '../../../runner/session/warm-spares.ts'
import { pageWorkFactory, type SessionDeps } from '../../../runner/session/with-page.ts'
import { deferred, flushPromises, type Deferred } from '../../helpers/fake-clock.ts'

// withPage with its parts faked at their interfaces: the order of a request's steps, which the
// integration tests only see through their effects.

function setup(o: { refuse?: boolean } = {}) {
  const steps: string[] = []
  const closing: Deferred<void>[] = []
  const spareOpens: Deferred<PageSession>[] = []
  let running = 0
  const browser = { isConnected: () => true } as unknown as Browser
  const page = {} as Page
  const session = (): PageSession =>
    ({
      page,
      crashed: () => false,
      close: () => {
        steps.push('close')
        const d = deferred()
        closing.push(d)
        return d.promise.then(() => void steps.push('closed'))
      },
    }) as unknown as PageSession
  const deps: SessionDeps = {
    admission: {
      async run(_ticket, fn) {
        if (o.refuse) throw new QueueFullError()
        running++
        try {
          return await fn(0)
        } finally {
          running--
          steps.push('slot freed')
        }
      },
    },
    pool: {
      acquire: async () =>
        ({ browser, browserId: 'b1', signature: 'default', tier: 'permanent', signal: new AbortController().signal, crashed: false, release: () => void steps.push('lease released') }) as Lease<Browser>,
    },
    checkProxy: async () => undefined,
    checkUrl: async () => undefined,
    spares: new WarmSpares({
      perBrowser: 1,
      hasIdleSlot: () => true,
      open: () => {
        steps.push('spare asked for')
        const d = deferred<PageSession>()
        spareOpens.push(d)
        return d.promise
      },
    }),
    openSession: async () => session(),
  }
  const controller = new AbortController()
  const deadline: RequestDeadline = { signal: controller.signal, deadlineAtMs: Date.now() + 30_000, remainingMs: () => 30_000, cancel: () => undefined, dispose: () => undefined }
  const work = pageWorkFactory(deps)({ launch: {}, signature: 'default', context: {} } as never, deadline)
  return { work, steps, closing, spareOpens, running: () => running }
}

describe('withPage', () => {
  it("answers with the page work's result before the context has closed, and frees the lease and the page slot only once it has", async () => {
    const t = setup()
    const value = await t.work.withPage(async () => 'the html')
    expect(value).toBe('the html')
    await flushPromises()
    // the close is under way: the page still holds its slot and its lease
    expect(t.steps).toEqual(['spare asked for', 'close'])
    expect(t.running()).toBe(1)
    t.closing[0]!.resolve()
    await flushPromises()
    expect(t.steps).toEqual(['spare asked for', 'close', 'closed', 'lease released', 'slot freed'])
    expect(t.running()).toBe(0)
  })

  it('fails at once with the classified error of the page work, and still closes the context and frees the lease', async () => {
    const t = setup()
    const failed = t.work.withPage(async () => {
      throw new Error('page.goto: net::ERR_NAME_NOT_RESOLVED at http://nowhere.invalid/')
    })
    const err = await failed.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CrawlfleetError)
    expect(t.running()).toBe(1)
    t.closing[0]!.resolve()
    await flushPromises()
    expect(t.steps.slice(-3)).toEqual(['closed', 'lease released', 'slot freed'])
  })

  it('a refusal by admission is the answer: no page is opened', async () => {
    const t = setup({ refuse: true })
    await expect(t.work.withPage(async () => 'never')).rejects.toBeInstanceOf(QueueFullError)
    expect(t.steps).toEqual([])
  })
})
