import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readEdgeConfig, readLocalStackConfig } from '../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../edge/local-server.ts'
import { createEdgeLogger } from '../edge/core/logger.ts'
import { RUNNER_MALLOC_ENV, runnerNodeFlags } from '../runner/resources/node-flags.ts'

// `npm start`: CRAWLFLEET_RUNNER_COUNT runners (default 2) as child processes on free loopback
// ports, then the edge on PORT (default 8080) in this process with static discovery. Ctrl-C or
// SIGTERM stops the edge, then each runner (SIGTERM, which closes its browsers; SIGKILL of its
// process group if it has not exited in time), and exits once every child is gone.

const ROOT = fileURLToPath(new URL('../', import.meta.url))
// built (`npm start`: dist/local-stack.mjs) the runners are dist/runner.mjs under plain node; run from
// source (the tests, under tsx) they are runner/main.ts under tsx. dist/ and scripts/ are both one level down.
const RUNNER_ARGS = import.meta.url.endsWith('.mjs') ? ['dist/runner.mjs'] : ['--import', 'tsx', 'runner/main.ts']
const READY_TIMEOUT_MS = 90_000
// the cgroup's limit when there is one (0 or undefined otherwise): each runner's heap is sized from it
const memoryLimitBytes = Math.min(process.constrainedMemory?.() || Infinity, totalmem())
const env = process.env
// runners of a local stack get a short stop timeout (the edge table's default), so Ctrl-C is quick
const { runnerCount, stopTimeoutMs, ...local } = readLocalStackConfig(env)
const hmacSecret = local.hmacSecret ?? randomBytes(32).toString('hex')
const log = createEdgeLogger(local.logLevel)

interface Runner {
  readonly id: string
  readonly child: ChildProcess
  readonly exited: Promise<unknown>
}

const runners: Runner[] = []
let edge: LocalEdge | undefined
let stopping = false

/** Starts a runner and resolves with its URL once it listens (it listens once its permanent browser is up). */
async function startRunner(n: number): Promise<Runner & { readonly url: string }> {
  const id = `runner-${n}`
  // a temp directory per runner, removed when it exits, so browser profiles never pile up in /tmp
  const tmp = mkdtempSync(join(tmpdir(), `crawlfleet-${id}-`))
  const child = spawn(process.execPath, [...runnerNodeFlags(memoryLimitBytes), ...RUNNER_ARGS], {
    cwd: ROOT,
    // its own process group: a terminal's Ctrl-C reaches only us, and we stop the runners in order
    detached: true,
    // the IPC channel tells us the port the runner took: port 0 cannot be raced for, a port picked here could
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...env,
      ...RUNNER_MALLOC_ENV,
      TMPDIR: tmp,
      PORT: '0',
      CRAWLFLEET_HOST: '127.0.0.1',
      CRAWLFLEET_RUNNER_ID: id,
      CRAWLFLEET_HMAC_SECRET: hmacSecret,
      CRAWLFLEET_STOP_TIMEOUT_MS: String(stopTimeoutMs),
    },
  })
  const exited = once(child, 'exit')
  void exited.then(() => rmSync(tmp, { recursive: true, force: true }))
  void exited.then(([code, signal]) => {
    if (!stopping) log.error({ runner: id, code, signal }, edge ? 'a runner exited; the edge routes around it' : 'a runner exited while starting')
  })
  const runner = { id, child, exited }
  runners.push(runner)
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS)
    child.on('message', (m: { event?: string; url?: string }) => {
      if (m?.event !== 'listening' || !m.url) return
      clearTimeout(timer)
      resolve(m.url)
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`${id} exited before it was ready`))
    })
  })
  return { ...runner, url: await listening }
}

async function stopRunner(r: Runner): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return
  r.child.kill('SIGTERM')
  const timer = setTimeout(() => {
    try {
      process.kill(-r.child.pid!, 'SIGKILL')
    } catch {
      // the group is already gone
    }
  }, stopTimeoutMs + 5_000)
  await r.exited
  clearTimeout(timer)
}

async function shutdown(code: number): Promise<never> {
  if (stopping) {
    for (const r of runners) if (r.child.exitCode === null && r.child.signalCode === null) process.kill(-r.child.pid!, 'SIGKILL')
    process.exit(code)
  }
  stopping = true
  log.info({ runners: runners.length }, 'stopping the local stack')
  await edge?.close()
  await Promise.all(runners.map(stopRunner))
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0))

try {
  const started = await Promise.all(Array.from({ length: runnerCount }, (_, i) => startRunner(i + 1)))
  const config = readEdgeConfig({ ...env, CRAWLFLEET_RUNNERS: started.map((r) => r.url).join(','), CRAWLFLEET_HMAC_SECRET: hmacSecret })
  edge = await startLocalEdge(config, log)
  const auth = edge.open ? '' : " -H 'authorization: Bearer <one of CRAWLFLEET_API_KEYS>'"
  process.stdout.write(
    `\ncrawlfleet is up at ${edge.url} with ${runnerCount} runner${runnerCount > 1 ? 's' : ''}${edge.open ? ' (open: no API keys, loopback only)' : ''}\n` +
      `  curl -s ${edge.url}/html -H 'content-type: application/json'${auth} -d '{"url":"https://example.com/"}'\n` +
      `  API docs: ${edge.url}/docs   live pool: ${edge.url}/dashboard   MCP: ${edge.url}/mcp\n` +
      `  operations over every runner: ${edge.url}/ready, /pressure, /metrics${edge.open ? '' : ' (with the key)'}\n` +
      `  runners: ${started.map((r) => `${r.id} ${r.url}`).join(', ')} (they take only requests signed by this edge)\n\n`,
  )
  // a parent with an IPC channel (the tests) learns where everything listens, PORT=0 included
  process.send?.({ event: 'listening', url: edge.url, port: edge.port, runners: started.map((r) => ({ id: r.id, url: r.url })) })
} catch (err) {
  log.error({ err: (err as Error).message }, 'the local stack could not start')
  await shutdown(1)
}
