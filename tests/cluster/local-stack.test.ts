import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { processesTagged } from '../helpers/processes.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let site: FixtureSite | undefined
afterAll(async () => {
  await site?.close()
})

describe('npm start (scripts/local-stack.ts)', () => {
  it('runs the edge and 2 runners, prints the URL and a curl example, and leaves no process behind on SIGINT', async () => {
    site = await startFixtureSite()
    const tag = `local-stack-${process.pid}-${Date.now()}`
    // PORT=0: the stack takes a free port and says which (a port picked here could be taken before it binds)
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', CRAWLFLEET_RUNNER_COUNT: '2', CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8', CRAWLFLEET_LOG_LEVEL: 'warn', CRAWLFLEET_TEST_TAG: tag, CRAWLFLEET_API_KEYS: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    let out = ''
    // up once it has both said where it listens (IPC) and printed its banner (stdout): the two channels race
    const up = new Promise<{ port: number; runners: { id: string; url: string }[] }>((resolve, reject) => {
      let listening: { port: number; runners: { id: string; url: string }[] } | undefined
      const check = () => listening && out.includes('runners: ') && resolve(listening)
      child.stdout!.on('data', (d) => {
        out += d
        check()
      })
      child.stderr!.on('data', (d) => (out += d))
      child.on('message', (m: { event?: string; port: number; runners: { id: string; url: string }[] }) => {
        if (m.event === 'listening') listening = m
        check()
      })
      child.once('exit', (code) => reject(new Error(`local stack exited (${code}) before it was up:\n${out}`)))
    })
    const exited = once(child, 'exit')
    try {
      const { port, runners } = await up
      expect(runners.map((r) => r.id)).toEqual(['runner-1', 'runner-2'])
      for (const r of runners) expect(out).toContain(`${r.id} ${r.url}`)
      expect(out).toContain(`crawlfleet is up at http://127.0.0.1:${port} with 2 runners`)
      expect(out).toContain(`curl -s http://127.0.0.1:${port}/html`)
      const runnersAndBrowsers = await processesTagged(tag)
      expect(runnersAndBrowsers.length).toBeGreaterThanOrEqual(2)
      const res = await fetch(`http://127.0.0.1:${port}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/about.html` }) })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-runner-id')).toMatch(/^runner-[12]$/)
      await res.body?.cancel()
      // operations over both runners, from the edge's own port (the runners take only signed requests)
      expect(out).toContain(`http://127.0.0.1:${port}/dashboard`)
      expect(await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).toEqual({ ready: true, runners: { ready: 2, total: 2 } })
      const pressure = (await (await fetch(`http://127.0.0.1:${port}/pressure`)).json()) as { runners: { ok: boolean; pressure: { runner: string } }[] }
      expect(pressure.runners.map((r) => r.ok && r.pressure.runner).sort()).toEqual(['runner-1', 'runner-2'])
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      for (const id of ['runner-1', 'runner-2']) expect(metrics).toContain(`crawlfleet_queue_depth{runner="${id}"}`)
    } finally {
      child.kill('SIGINT')
    }
    const [code] = await exited
    expect(code, out).toBe(0)
    expect(await processesTagged(tag)).toEqual([])
  })
})
