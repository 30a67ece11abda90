import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRunnerConfig } from '../../runner/config.ts'
import { browserEnvironment } from '../../runner/browser/browser-env.ts'
import { findChromium, isExecutableFile } from '../../runner/browser/find-chromium.ts'
import { createPlaywrightLauncher } from '../../runner/browser/launcher-playwright.ts'
import { systemResourceReader } from '../../runner/resources/resource-reader.ts'
import { startRunner, type RunningRunner } from '../../runner/runner.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { createLogger } from '../../runner/util/logger.ts'
import { untilNoneTagged } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'

// The runner in this process, so the event loop measured is the one that serves every caller: while
// /md converts a 2 MB page (seconds of CPU), that loop never stalls for more than 50 ms, because the
// conversion runs on a content worker.

const tag = randomUUID()
let site: FixtureSite
let runner: RunningRunner

beforeAll(async () => {
  process.env.CRAWLFLEET_TEST_TAG = tag
  site = await startFixtureSite()
  const config = readRunnerConfig({ PORT: '0', CRAWLFLEET_HOST: '127.0.0.1', CRAWLFLEET_RUNNER_ID: 'loop-delay', CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8', CRAWLFLEET_WARM_SPARES: '0' })
  const executablePath = findChromium({ configured: process.env.CRAWLFLEET_CHROMIUM_PATH, playwrightPath: () => chromium.executablePath(), isExecutable: isExecutableFile })
  runner = await startRunner(config, {
    clock: systemClock,
    launcher: ({ egressProxyUrl }) => createPlaywrightLauncher({ executablePath, egressProxyUrl, env: browserEnvironment(process.env), runningAsRoot: process.getuid?.() === 0 }),
    resources: systemResourceReader({}),
    log: createLogger({ name: 'runner', level: 'warn' }),
    nowWallMs: () => Date.now(),
  })
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
  expect(await untilNoneTagged(tag)).toEqual([])
  delete process.env.CRAWLFLEET_TEST_TAG
})

const md = (f: string, t: string) =>
  fetch(`${runner.url}/md`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/big?mb=2&t=${t}`, f }) })

/** the longest the loop waited while `during` ran, ms */
async function maxLoopDelay(during: () => Promise<unknown>): Promise<number> {
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  try {
    await during()
  } finally {
    loop.disable()
  }
  return loop.max / 1e6
}

/**
 * /md until its answer's headers arrive: rendering, conversion and the answer's serialization are
 * done. The body (megabytes of JSON) is read after the measured window: parsing it is this test's
 * own work on the shared loop, not the runner's.
 */
async function convert(f: string, t: string): Promise<Response> {
  const res = await md(f, t)
  expect(res.status).toBe(200)
  return res
}

async function expectConverted(res: Response): Promise<void> {
  const body = (await res.json()) as { markdown: string }
  expect(body.markdown.length).toBeGreaterThan(1_000_000)
}

/** the longest the loop waited while /md ran, ms; the answer is checked after */
async function loopDelayOfConvert(f: string, t: string): Promise<number> {
  let res: Response | undefined
  const ms = await maxLoopDelay(async () => (res = await convert(f, t)))
  await expectConverted(res!)
  return ms
}

describe('the event loop while /md converts a 2 MB page', () => {
  it('never stalls more than 50 ms', async () => {
    // once first, so the content workers have loaded their modules and the browser is warm
    const startedMs = performance.now()
    await expectConverted(await convert('raw', 'warm'))
    const tookMs = performance.now() - startedMs
    for (const f of ['fit', 'raw']) {
      // A conversion on the loop would stall it for its whole CPU time (seconds) on every try. A
      // machine shared with other work delays any thread at random, so each try is measured next to
      // the same loop left idle for as long, and the best of five tries is kept (with both cores busy
      // the loop's own share of a request, its HTML pieces and its JSON answer, stretches to 50–180 ms
      // on some tries; a conversion on the loop would stall it for seconds on all five).
      const tries: { ms: number; idleMs: number }[] = []
      const excess = () => Math.min(...tries.map((t) => t.ms - Math.max(0, t.idleMs - 5)))
      for (let i = 0; i < 5 && !(excess() < 50); i++) {
        const idleMs = await maxLoopDelay(() => new Promise((resolve) => setTimeout(resolve, tookMs)))
        tries.push({ ms: await loopDelayOfConvert(f, `${f}-${i}`), idleMs })
      }
      const seen = `${f}: max loop delay per try (and idle) ${tries.map((t) => `${t.ms.toFixed(1)} (${t.idleMs.toFixed(1)})`).join(', ')} ms`
      console.log(seen)
      expect(excess(), seen).toBeLessThan(50)
    }
  }, 240_000)
})
