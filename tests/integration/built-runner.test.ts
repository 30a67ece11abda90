import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { getPriority } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAll, ROOT } from '../../scripts/build.ts'
import { RUNNER_MALLOC_ENV, runnerNodeFlags } from '../../runner/resources/node-flags.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { processesTagged, threadNices } from '../helpers/processes.ts'
import { startRunnerProcess } from '../helpers/start-runner.ts'

// What production runs: the runner bundled by scripts/build.ts, under plain node with the heap
// flags the local stack passes, no tsx anywhere in the process.

// inside the repository (.tmp/ is ignored): the bundle resolves its packages from node_modules above it
const OUT = join(ROOT, '.tmp', `built-runner-${process.pid}`)
let site: FixtureSite
let runnerPath: string

beforeAll(async () => {
  ;[runnerPath] = await buildAll({ outdir: OUT, only: ['runner'] })
  site = await startFixtureSite()
})
afterAll(async () => {
  await site?.close()
  rmSync(OUT, { recursive: true, force: true })
})

describe('the built runner (dist/runner.mjs under plain node)', () => {
  it('starts, serves a page and stops with no Chromium left', async () => {
    const tag = randomUUID()
    const runner = await startRunnerProcess(
      { CRAWLFLEET_TEST_TAG: tag, CRAWLFLEET_CHROMIUM_NICE: '2', ...RUNNER_MALLOC_ENV },
      { argv: [process.execPath, ...runnerNodeFlags(2 ** 30), runnerPath!] },
    )
    try {
      const cmdline = readFileSync(`/proc/${runner.pid}/cmdline`, 'utf8').split('\0')
      expect(cmdline).toContain(runnerPath)
      expect(cmdline.join(' ')).not.toMatch(/tsx/)
      const res = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/` }) })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { html: string }).html).toMatch(/<html/i)
      expect((await fetch(`${runner.url}/openapi.json`)).status).toBe(200)
      // the browser started at its nice through niced-exec.sh, a file the bundle finds beside itself
      const pressure = (await (await fetch(`${runner.url}/pressure`)).json()) as { pool: { browsers: { pid: number }[] } }
      expect(threadNices(pressure.pool.browsers[0]!.pid)).toContain(Math.min(19, getPriority() + 2))
      // Markdown is made on the content worker threads: their entry and task table are files of the bundle
      const md = await fetch(`${runner.url}/md`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/content/article.html`, f: 'fit' }) })
      expect(md.status, await md.clone().text()).toBe(200)
      expect(((await md.json()) as { markdown: string }).markdown.length).toBeGreaterThan(100)
    } finally {
      expect(await runner.stop()).toBe(0)
    }
    expect(await processesTagged(tag)).toEqual([])
  })

  it('serves /openapi.json a thousand times without growing its heap (POST /debug/gc with CRAWLFLEET_DEBUG_ENDPOINTS)', { timeout: 150_000 }, async () => {
    const runner = await startRunnerProcess({ CRAWLFLEET_DEBUG_ENDPOINTS: 'on', ...RUNNER_MALLOC_ENV }, { argv: [process.execPath, ...runnerNodeFlags(2 ** 30), runnerPath!] })
    try {
      const heapAfterGc = async () => ((await (await fetch(`${runner.url}/debug/gc`, { method: 'POST' })).json()) as { heapObjectBytes: number }).heapObjectBytes
      const documents = async (n: number) => {
        for (let i = 0; i < n; i++) expect((await fetch(`${runner.url}/openapi.json`)).status).toBe(200)
      }
      const first = await (await fetch(`${runner.url}/openapi.json`)).text()
      await documents(1000) // the JIT's code and its metadata for these paths settle first
      const before = await heapAfterGc()
      await documents(1000)
      // the objects on the heap after a full GC: what every call leaves behind (a registration per call did) shows as growth
      expect((await heapAfterGc()) - before).toBeLessThan(2 * 1024 * 1024)
      // and the document is the first one, byte for byte: one security scheme, not one more per call
      expect(await (await fetch(`${runner.url}/openapi.json`)).text()).toBe(first)
      expect((await fetch(`${runner.url}/openapi.json`)).headers.get('content-length')).toBe((await fetch(`${runner.url}/openapi.json`)).headers.get('content-length'))
    } finally {
      expect(await runner.stop()).toBe(0)
    }
  })
})
