import { cpus, getPriority, totalmem } from 'node:os'
import type { Browser } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { BrowserCrashedError } from '../../runner/contract/errors.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE, launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import { browserEnvironment } from '../../runner/browser/browser-env.ts'
import { isOnPath } from '../../runner/browser/find-chromium.ts'
import { createPlaywrightLauncher, MARKER_ARG_PREFIX, type PlaywrightHandle } from '../../runner/browser/launcher-playwright.ts'
import { findPidByArg, listProcessTree, readProcStat, treePssBytes } from '../../runner/browser/process-tree.ts'
import { BrowserCostModel } from '../../runner/pool/cost-model.ts'
import { BrowserPool } from '../../runner/pool/pool.ts'
import { capacityPlanner, DEFAULT_PER_BROWSER_BYTES, DEFAULT_PER_PAGE_BYTES, DEFAULT_RESERVE_BYTES } from '../../runner/pool/capacity-plan.ts'
import { DEFAULT_CAPACITY_SETTINGS, DEFAULT_POOL_SETTINGS } from '../../runner/pool/pool-settings.ts'
import type { Lease } from '../../runner/pool/types.ts'
import type { PressureSource } from '../../runner/resources/types.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { deferred } from '../helpers/fake-clock.ts'
import { childProcesses } from '../helpers/fault-tools.ts'
import { readAutogroup, threadNices } from '../helpers/processes.ts'
import { testChromiumPath } from '../helpers/test-chromium.ts'

// The pool with the real Playwright launcher and Chromium's headless shell: launches, crashes,
// kills and shutdown against real processes. No HTTP.

const executablePath = testChromiumPath()
/** these browsers render set content only: their proxy (port 9, discard) is never asked for anything */
const browserEnv = browserEnvironment(process.env)
const runningAsRoot = process.getuid?.() === 0
// as runner/main.ts sets them: as root with setpriv, the script alone keeps Chromium from raising its threads
const launcherBase = { executablePath, egressProxyUrl: 'http://127.0.0.1:9', env: browserEnv, runningAsRoot, dropsNiceCap: runningAsRoot && isOnPath('setpriv', browserEnv.PATH) }
const DEFAULT_REQ = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const textLaunch = launchOptionsFrom({ text_mode: true })
const TEXT_REQ = { launch: textLaunch, signature: signatureOf(textLaunch) }

/** this test is about processes, not memory: a calm machine */
const calm: PressureSource = {
  sample: async () => ({ memory: { usedBytes: 0, limitBytes: totalmem(), percent: 10 }, cpu: { cores: cpus().length, percent: null }, atMs: systemClock.now() }),
}

function realPool() {
  const base = createPlaywrightLauncher({ ...launcherBase, launchTimeoutMs: 30_000 })
  const handles: PlaywrightHandle[] = []
  const events: { event: string; fields: Record<string, unknown> }[] = []
  const listeners: ((event: string, fields: Record<string, unknown>) => void)[] = []
  const costModel = new BrowserCostModel(DEFAULT_PER_BROWSER_BYTES)
  const limits = { memoryLimitBytes: totalmem(), cpuCores: cpus().length, perPageBytes: DEFAULT_PER_PAGE_BYTES, reserveBytes: DEFAULT_RESERVE_BYTES }
  const pool = new BrowserPool<Browser>({
    launcher: { launch: async (o, s) => { const h = await base.launch(o, s); handles.push(h); return h } },
    clock: systemClock,
    pressure: calm,
    settings: { ...DEFAULT_POOL_SETTINGS, closeGraceMs: 1000 },
    costModel,
    plan: capacityPlanner({ ...limits, settings: DEFAULT_CAPACITY_SETTINGS }, costModel),
    measureBrowserBytes: (h) => (h.pid === undefined ? Promise.resolve(0) : treePssBytes(h.pid)),
    log: (event, fields) => {
      events.push({ event, fields: fields as Record<string, unknown> })
      for (const l of listeners) l(event, fields as Record<string, unknown>)
    },
  })
  /** resolves with the fields of the next `event` the pool logs that matches */
  const next = (event: string, match: (f: Record<string, unknown>) => boolean = () => true) => {
    const d = deferred<Record<string, unknown>>()
    listeners.push((e, f) => e === event && match(f) && d.resolve(f))
    return d.promise
  }
  return { pool, handles, events, next, costModel }
}

/** a process is still there and not a zombie (a zombie's cmdline is empty anyway) */
async function liveMarkers(handles: readonly PlaywrightHandle[]): Promise<string[]> {
  const live: string[] = []
  for (const h of handles) {
    const pid = await findPidByArg(h.marker)
    if (pid !== undefined && (await readProcStat(pid)) !== undefined) live.push(h.marker)
  }
  return live
}

async function render(lease: Lease<Browser>, html: string): Promise<string> {
  const context = await lease.browser.newContext()
  try {
    const page = await context.newPage()
    await page.setContent(html)
    return await page.evaluate(() => document.body.textContent ?? '')
  } finally {
    await context.close()
  }
}

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('BrowserPool with Playwright and the headless shell', () => {
  it('serves default and text_mode leases, survives a SIGKILLed permanent browser and leaves no process on close', async () => {
    const { pool, handles, events, next, costModel } = realPool()
    cleanup = () => pool.close({ graceMs: 0 })
    await pool.start()
    expect(pool.isPermanentUp()).toBe(true)
    const permanentPid = handles[0]?.pid
    expect(permanentPid).toBeGreaterThan(0)
    expect((await readProcStat(permanentPid ?? 0))?.pgrp).toBe(permanentPid) // Playwright makes it a group leader

    const lease = await pool.acquire(DEFAULT_REQ, AbortSignal.timeout(30_000))
    expect(lease.tier).toBe('permanent')
    expect(await render(lease, '<p>hello from the permanent browser</p>')).toBe('hello from the permanent browser')
    lease.release()

    const text = await pool.acquire(TEXT_REQ, AbortSignal.timeout(30_000))
    expect(text.tier).toBe('cold')
    expect(text.browserId).not.toBe(lease.browserId)
    expect(await render(text, '<p>text mode</p>')).toBe('text mode')
    text.release()
    expect(handles[1]?.marker).not.toBe(handles[0]?.marker)

    // a crash: the lease learns at once, the permanent browser comes back, the next acquire works
    const held = await pool.acquire(DEFAULT_REQ, AbortSignal.timeout(30_000))
    const crashed = new Promise((resolve) => held.signal.addEventListener('abort', () => resolve(held.signal.reason)))
    const relaunched = next('browser.launched', (f) => f.tier === 'permanent')
    process.kill(permanentPid ?? 0, 'SIGKILL')
    expect(await crashed).toBeInstanceOf(BrowserCrashedError)
    held.release()
    await relaunched
    expect(pool.isPermanentUp()).toBe(true)
    const after = await pool.acquire(DEFAULT_REQ, AbortSignal.timeout(30_000))
    expect(after.browserId).not.toBe(held.browserId)
    expect(await render(after, '<p>back</p>')).toBe('back')
    after.release()
    expect(pool.snapshot().counters).toMatchObject({ crashes: 1, launches: 3, launchFailures: 0 })
    expect(costModel.measurements).toBeGreaterThan(0)
    expect(pool.snapshot().plan?.perBrowserBytes).toBe(costModel.estimateBytes())

    await pool.close({ graceMs: 5000 })
    expect(handles).toHaveLength(3)
    expect(await liveMarkers(handles)).toEqual([])
    expect(events.filter((e) => e.event === 'browser.kill')).toEqual([])
  })

  it('kills a browser whose close hangs (SIGSTOPped) once the close grace runs out', async () => {
    const { pool, handles, events } = realPool()
    const stopped: number[] = []
    cleanup = async () => {
      for (const pid of stopped) sendSignal(pid, 'SIGCONT')
      await pool.close({ graceMs: 0 })
    }
    await pool.start()
    const lease = await pool.acquire(TEXT_REQ, AbortSignal.timeout(30_000))
    lease.release()
    const frozen = handles[1]
    if (frozen?.pid === undefined) throw new Error('no pid for the text_mode browser')
    sendSignal(frozen.pid, 'SIGSTOP')
    stopped.push(frozen.pid)

    const startedMs = performance.now()
    await pool.close({ graceMs: 0 })
    const tookMs = performance.now() - startedMs
    expect(events.filter((e) => e.event === 'browser.kill').map((e) => e.fields.pid)).toEqual([frozen.pid])
    expect(tookMs).toBeGreaterThanOrEqual(1000 - 50) // the close grace, then the kill
    expect(await liveMarkers(handles)).toEqual([])
  })

  it('honours an abort before the launch and closes a browser whose launch was abandoned', async () => {
    const abandoned = deferred<string>()
    const launcher = createPlaywrightLauncher({
      ...launcherBase,
      launchTimeoutMs: 30_000,
      log: (event, fields) => event === 'browser.abandoned_closed' && abandoned.resolve((fields as { marker: string }).marker),
    })
    await expect(launcher.launch(DEFAULT_LAUNCH, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late')
    const ac = new AbortController()
    const launching = launcher.launch(textLaunch, ac.signal)
    ac.abort(new Error('client left'))
    await expect(launching).rejects.toThrow('client left')
    const marker = await abandoned.promise
    expect(marker.startsWith(MARKER_ARG_PREFIX)).toBe(true)
    expect(await findPidByArg(marker)).toBeUndefined()
  })

  it("runs every process of a browser at the launcher's nice above the runner's, a renderer forked after the launch included, and leaves the runner's own", async () => {
    const ownNice = getPriority()
    const want = Math.min(19, ownNice + 5)
    const launcher = createPlaywrightLauncher({ ...launcherBase, launchTimeoutMs: 30_000, nice: 5 })
    const handle = await launcher.launch(DEFAULT_LAUNCH, AbortSignal.timeout(30_000))
    cleanup = () => handle.browser.close()
    const pid = handle.pid ?? 0
    const atLaunch = await listProcessTree(pid)
    expect(atLaunch[0]).toBe(pid)
    const context = await handle.browser.newContext()
    const page = await context.newPage()
    await page.setContent('<p>a renderer forked after the renice</p>')
    const withPage = await listProcessTree(pid)
    const renderers = (await childProcesses(pid, '--type=renderer')).filter((p) => !atLaunch.includes(p))
    expect(renderers.length).toBeGreaterThan(0) // the page's, forked by a zygote reniced at the launch
    // Chromium sets some of its threads' priority itself (display-critical −8, default 0), which the kernel
    // allows only with CAP_SYS_NICE: the image's `node` user never has it, and as root niced-exec.sh drops it,
    // so no thread of any process (the GPU and network processes included) is above the nice
    const zygotes = (await childProcesses(pid, '--type=zygote')).filter((p) => atLaunch.includes(p))
    expect(zygotes.length).toBeGreaterThan(0)
    for (const p of [pid, ...zygotes, ...renderers]) expect(threadNices(p)).toContain(want)
    for (const p of withPage) expect(Math.min(...threadNices(p))).toBeGreaterThanOrEqual(want)
    expect(getPriority()).toBe(ownNice)
    // where the kernel schedules sessions as groups (autogroup), the browser's session is its own and gets the nice too
    const group = readAutogroup(pid)
    if (group !== undefined) {
      expect(group).toMatch(new RegExp(` nice ${want}$`))
      expect(readAutogroup('self')).not.toMatch(new RegExp(` nice ${want}$`))
    }
    await context.close()
  })

  it("runs a launch variant's browser at the pooled nice and the permanent one at its own", async () => {
    const [permanentNice, pooledNice] = [2, 6].map((n) => Math.min(19, getPriority() + n))
    const launcher = createPlaywrightLauncher({ ...launcherBase, launchTimeoutMs: 30_000, nice: 2, pooledNice: 6 })
    const [permanent, variant] = await Promise.all([
      launcher.launch(DEFAULT_LAUNCH, AbortSignal.timeout(30_000), 'permanent'),
      launcher.launch(textLaunch, AbortSignal.timeout(30_000), 'cold'),
    ])
    cleanup = async () => void (await Promise.all([permanent.browser.close(), variant.browser.close()]))
    expect(threadNices(permanent.pid ?? 0)).toContain(permanentNice)
    expect(threadNices(permanent.pid ?? 0)).not.toContain(pooledNice)
    expect(threadNices(variant.pid ?? 0)).toContain(pooledNice)
    expect(threadNices(variant.pid ?? 0)).not.toContain(permanentNice)
    const group = readAutogroup(variant.pid ?? 0)
    if (group !== undefined) expect(group).toMatch(new RegExp(` nice ${pooledNice}$`))
  })
})

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}
