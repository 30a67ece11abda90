import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { answersOk, isListening, spawnTsx, waitUntilReady, type Listening } from '../helpers/child-process.ts'
import { untilNoneTagged } from '../helpers/fault-tools.ts'
import { killTagged, processesTagged } from '../helpers/processes.ts'
import { startRunnerProcess } from '../helpers/start-runner.ts'

// Admission, SIGTERM and SIGKILL with real processes. Each runner carries a tag in its
// environment that every Chromium process inherits, so orphans would be found.

let site: FixtureSite
beforeAll(async () => {
  site = await startFixtureSite()
})
afterAll(async () => {
  await site?.close()
})

const postTo = (url: string, body: unknown) =>
  fetch(`${url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('runner lifecycle', () => {
  it('a flood beyond the hard queue cap gets 429 with Retry-After, and every request is answered', async () => {
    const tag = randomUUID()
    // 2 cores × 1 page per core = 2 slots, a hard cap of 2 queued: 20 concurrent slow requests must overflow
    const runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag, CRAWLFLEET_PAGES_PER_CORE: '1', CRAWLFLEET_MAX_QUEUED: '2', CRAWLFLEET_ADAPT_SLOTS: 'off' })
    try {
      const plan = ((await (await fetch(`${runner.url}/pressure`)).json()) as { plan: { pageSlots: number; maxQueued: number } }).plan
      const n = 20
      const responses = await Promise.all(Array.from({ length: n }, () => postTo(runner.url, { url: `${site.url}/slow?ms=1500` })))
      const statuses = responses.map((r) => r.status)
      const ok = statuses.filter((s) => s === 200).length
      const refused = responses.filter((r) => r.status === 429)
      expect(ok + refused.length).toBe(n) // nothing else: no 500, no hang
      expect(ok).toBeGreaterThanOrEqual(plan.pageSlots)
      expect(ok).toBeLessThanOrEqual(plan.pageSlots + plan.maxQueued)
      expect(refused.length).toBeGreaterThan(0)
      for (const r of refused) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(await r.json()).toMatchObject({ error: { code: 'QUEUE_FULL' } })
      }
      const metrics = await (await fetch(`${runner.url}/metrics`)).text()
      expect(metrics).toMatch(new RegExp(`^crawlfleet_refusals_total\\{reason="queue_full"[^}]*\\} ${refused.length}$`, 'm'))
    } finally {
      expect(await runner.stop()).toBe(0)
    }
    expect(await processesTagged(tag)).toEqual([])
  })

  it('SIGTERM drains: in-flight requests finish, new ones get 503, the process exits 0 with no Chromium left', async () => {
    const tag = randomUUID()
    const runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag })
    // a launch variant too, so more than one browser must close
    await postTo(runner.url, { url: `${site.url}/`, browser_config: { text_mode: true } })
    expect((await processesTagged(tag)).length).toBeGreaterThan(1)

    const inFlight = [1, 2, 3].map((i) => postTo(runner.url, { url: `${site.url}/slow?ms=2000&i=${i}` }))
    await Promise.all([1, 2, 3].map((i) => site.waitForRequest(`/slow?ms=2000&i=${i}`)))
    runner.child.kill('SIGTERM')
    // the signal is handled on the runner's event loop: wait until readiness has turned
    let ready = await fetch(`${runner.url}/ready`)
    while (ready.status === 200) ready = await fetch(`${runner.url}/ready`)
    expect(ready.status).toBe(503)
    const late = await postTo(runner.url, { url: `${site.url}/` })
    expect(late.status).toBe(503)
    expect(late.headers.get('retry-after')).toBeTruthy()
    expect(await late.json()).toMatchObject({ error: { code: 'DRAINING' } })

    const done = await Promise.all(inFlight)
    expect(done.map((r) => r.status)).toEqual([200, 200, 200])
    for (const r of done) expect(((await r.json()) as { html: string }).html).toContain('slow-2000')
    expect(await runner.exited()).toBe(0)
    expect(await processesTagged(tag)).toEqual([])
  })

  it('SIGKILL of the runner leaves no Chromium behind', async () => {
    const tag = randomUUID()
    const runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag })
    await postTo(runner.url, { url: `${site.url}/`, browser_config: { light_mode: true } })
    expect((await processesTagged(tag)).length).toBeGreaterThan(1)
    runner.child.kill('SIGKILL')
    await runner.exited()
    // Chromium talks to the runner over a pipe and exits when it closes; give it a moment to notice
    expect(await untilNoneTagged(tag)).toEqual([])
  })

  it('a runner whose parent dies without stopping it (SIGKILL) stops itself: no runner and no Chromium left', async () => {
    const tag = randomUUID()
    // a temp directory of the test's own: the parent's is removed when it dies, while the runner still runs
    const tmp = await mkdtemp(join(tmpdir(), 'crawlfleet-orphan-'))
    try {
      const parent = spawnTsx('tests/helpers/runner-parent.ts', { CRAWLFLEET_TEST_TAG: tag, TMPDIR: tmp, PORT: '0', CRAWLFLEET_HOST: '127.0.0.1', CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8', CRAWLFLEET_LOG_LEVEL: 'warn' })
      const listening = await parent.message((m): m is Listening & { runnerPid: number } => isListening(m))
      await waitUntilReady('runner', parent, answersOk(`${listening.url}/ready`), { timeoutMs: 60_000 })
      expect((await postTo(listening.url, { url: `${site.url}/` })).status).toBe(200)
      expect(await processesTagged(tag)).toContain(listening.runnerPid)
      expect(await parent.stop('SIGKILL')).toBe('SIGKILL')
      // the runner sees its IPC channel close, stops as on SIGTERM, and its browsers close with it
      expect(await untilNoneTagged(tag, 30_000)).toEqual([])
      expect(parent.output()).toContain('runner.parent_gone')
    } finally {
      await killTagged(tag)
      await rm(tmp, { recursive: true, force: true })
    }
  })
})
