import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { readEdgeConfig } from '../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../edge/local-server.ts'
import { createEdgeLogger } from '../edge/logger.ts'

// `npm start`: CRAWLFLEET_RUNNER_COUNT runners (default 2) as child processes on free loopback
// ports, then the edge on PORT (default 8080) in this process with static discovery. Ctrl-C or
// SIGTERM stops the edge, then each runner (SIGTERM, which closes its browsers; SIGKILL of its
// process group if it has not exited in time), and exits once every child is gone.

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const READY_TIMEOUT_MS = 90_000
const env = process.env
const runnerCount = Number(env.CRAWLFLEET_RUNNER_COUNT ?? 2)
if (!Number.isInteger(runnerCount) || runnerCount < 1 || runnerCount > 64) throw new Error(`CRAWLFLEET_RUNNER_COUNT must be 1–64, got "${env.CRAWLFLEET_RUNNER_COUNT}"`)
// runners of a local stack get a short stop timeout, so Ctrl-C is quick
const stopTimeoutMs = Number(env.CRAWLFLEET_STOP_TIMEOUT_MS ?? 10_000)
const hmacSecret = env.CRAWLFLEET_HMAC_SECRET || randomBytes(32).toString('hex')
const log = createEdgeLogger(env.CRAWLFLEET_LOG_LEVEL ?? 'info')

interface Runner {
  readonly id: string
  readonly url: string
  readonly child: ChildProcess
  readonly exited: Promise<unknown>
}

const runners: Runner[] = []
let edge: LocalEdge | undefined
let stopping = false

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as { port: number }
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

async function startRunner(n: number): Promise<Runner> {
  const port = await freePort()
  const id = `runner-${n}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'runner/main.ts'], {
    cwd: ROOT,
    // its own process group: a terminal's Ctrl-C reaches only us, and we stop the runners in order
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...env,
      PORT: String(port),
      CRAWLFLEET_HOST: '127.0.0.1',
      CRAWLFLEET_RUNNER_ID: id,
      CRAWLFLEET_HMAC_SECRET: hmacSecret,
      CRAWLFLEET_STOP_TIMEOUT_MS: String(stopTimeoutMs),
    },
  })
  const exited = once(child, 'exit')
  void exited.then(([code, signal]) => {
    if (!stopping) log.error({ runner: id, code, signal }, edge ? 'a runner exited; the edge routes around it' : 'a runner exited while starting')
  })
  const runner = { id, url: `http://127.0.0.1:${port}`, child, exited }
  runners.push(runner)
  return runner
}

async function waitReady(r: Runner): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) throw new Error(`${r.id} exited before it was ready`)
    if (await fetch(`${r.url}/ready`).then((res) => res.ok, () => false)) return
    // the port opens when the runner is up; there is no event to wait for from outside
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${r.id} was not ready within ${READY_TIMEOUT_MS / 1000} s`)
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
  await Promise.all(started.map(waitReady))
  const config = readEdgeConfig({ ...env, CRAWLFLEET_RUNNERS: started.map((r) => r.url).join(','), CRAWLFLEET_HMAC_SECRET: hmacSecret })
  edge = await startLocalEdge(config, log)
  const auth = edge.open ? '' : " -H 'authorization: Bearer <one of CRAWLFLEET_API_KEYS>'"
  process.stdout.write(
    `\ncrawlfleet is up at ${edge.url} with ${runnerCount} runner${runnerCount > 1 ? 's' : ''}${edge.open ? ' (open: no API keys, loopback only)' : ''}\n` +
      `  curl -s ${edge.url}/html -H 'content-type: application/json'${auth} -d '{"url":"https://example.com/"}'\n` +
      `  API docs: ${edge.url}/docs\n\n`,
  )
} catch (err) {
  log.error({ err: (err as Error).message }, 'the local stack could not start')
  await shutdown(1)
}
