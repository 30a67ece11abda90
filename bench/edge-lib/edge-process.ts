import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tests/helpers/start-runner.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface EdgeProcess {
  readonly url: string
  readonly pid: number
  output(): string
  stop(): Promise<void>
}

/**
 * `edge/local.ts` (what `npm run edge` runs) as its own Node process on loopback: the edge then
 * has its own event loop, as a Lambda instance has, instead of sharing the benchmark client's.
 */
export async function startEdgeProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<EdgeProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'edge/local.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CRAWLFLEET_HOST: '127.0.0.1', CRAWLFLEET_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`edge exited before listening:\n${out}`)
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`edge not listening within ${readyTimeoutMs} ms:\n${out}`)
    }
    // polling a port that is not open yet: there is no event to wait for
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, pid: child.pid!, output: () => out, stop }
}
