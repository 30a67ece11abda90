import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAll, ROOT } from '../../scripts/build.ts'
import { RUNNER_MALLOC_ENV, runnerNodeFlags } from '../../runner/resources/node-flags.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { createMemoryCgroup, type MemoryCgroup } from '../helpers/memory-cgroup.ts'
import { processesTagged } from '../helpers/processes.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// The runner in a real memory cgroup, as in its container: the built runner and every Chromium it
// launches are inside a cgroup made for the test (v1 or v2, nested under this process's own, so
// the runner has to follow /proc/self/cgroup to find it). It must read the limit, size its pool
// from it, and under a flood of launch variants evict and refuse (503 + Retry-After) rather than
// be OOM-killed; then serve a default request. 1.5 GiB and 1 GiB evict; 512 MiB refuses as well. Needs root and a writable cgroup fs, as CI has.

const MiB = 1024 * 1024
const LANGS = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'fi', 'pl', 'cs', 'sk', 'hu', 'ro', 'bg', 'el', 'tr', 'ru', 'uk', 'ja', 'ko', 'zh', 'ar']
const REQUESTS = 48
const CONCURRENCY = 12

const OUT = join(ROOT, '.tmp', `cgroup-runner-${process.pid}`)
let site: FixtureSite
let runnerPath: string

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('this test runs the runner in a memory cgroup it creates: run it as root (CI does)')
  ;[runnerPath] = await buildAll({ outdir: OUT, only: ['runner'] })
  site = await startFixtureSite()
})
afterAll(async () => {
  await site?.close()
  rmSync(OUT, { recursive: true, force: true })
})

interface Pressure {
  limits: { memoryLimitBytes: number; memorySource: string }
  plan: { maxBrowsers: number; memoryBudgetBytes: number }
  counters: { evictions: number; refusals: { memory: number } }
}

const html = (runner: RunnerProcess, body: object) =>
  fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** REQUESTS requests over LANGS.length launch variants, CONCURRENCY at a time; statuses with whether Retry-After came. */
async function flood(runner: RunnerProcess): Promise<{ status: number; retryAfter: string | null; code?: string }[]> {
  const answers: { status: number; retryAfter: string | null; code?: string }[] = []
  let next = 0
  const worker = async () => {
    for (let n = next++; n < REQUESTS; n = next++) {
      const res = await html(runner, { url: `${site.url}/?n=${n}`, browser_config: { extra_args: [`--lang=${LANGS[n % LANGS.length]}`] } })
      const body = (await res.json()) as { error?: { code: string } }
      answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.code })
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return answers
}

describe('the runner in a real memory cgroup', () => {
  for (const limitMiB of [1536, 1024, 512]) {
    it(`reads a ${limitMiB} MiB limit, sizes its pool from it, and survives a flood of launch variants without an OOM kill`, { timeout: 180_000 }, async () => {
      const tag = randomUUID()
      const cgroup: MemoryCgroup = createMemoryCgroup(`crawlfleet-test-${process.pid}-${limitMiB}`, limitMiB * MiB)
      let runner: RunnerProcess | undefined
      try {
        runner = await startRunnerProcess(
          { CRAWLFLEET_TEST_TAG: tag, ...RUNNER_MALLOC_ENV },
          { argv: cgroup.wrap([process.execPath, ...runnerNodeFlags(cgroup.limitBytes), runnerPath]), readyTimeoutMs: 90_000 },
        )
        expect(cgroup.pids()).toContain(runner.pid)

        const before = (await (await fetch(`${runner.url}/pressure`)).json()) as Pressure
        expect(before.limits).toMatchObject({ memoryLimitBytes: limitMiB * MiB, memorySource: `cgroup-v${cgroup.version}` })
        expect(before.plan.memoryBudgetBytes).toBeLessThan(limitMiB * MiB)

        const answers = await flood(runner)
        expect(answers).toHaveLength(REQUESTS)
        // every request answered: served, or refused for memory with a time to come back; never a 500
        for (const a of answers) {
          if (a.status === 200) continue
          expect(a).toMatchObject({ status: 503, code: 'MEMORY_PRESSURE' })
          expect(Number(a.retryAfter)).toBeGreaterThan(0)
        }
        // 1.5 and 1 GiB hold a launch variant beside the permanent browser and the content workers; 512 MiB may hold none
        if (limitMiB >= 1024) expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0)
        expect(cgroup.oomKills()).toBe(0)
        expect(runner.child.exitCode).toBeNull()

        const after = (await (await fetch(`${runner.url}/pressure`)).json()) as Pressure
        // 24 browsers do not fit: the memory gate evicted idle ones to launch the next, or refused
        // (at 512 MiB there is little beyond the permanent browser to evict)
        expect(after.counters.evictions + after.counters.refusals.memory).toBeGreaterThan(0)
        expect(after.counters.refusals.memory).toBe(answers.filter((a) => a.status === 503).length)

        const res = await html(runner, { url: `${site.url}/` })
        expect(res.status).toBe(200)
        expect(cgroup.oomKills()).toBe(0)
      } finally {
        try {
          if (runner) expect(await runner.stop()).toBe(0)
        } finally {
          await cgroup.remove()
        }
      }
      expect(await processesTagged(tag)).toEqual([])
    })
  }
})
