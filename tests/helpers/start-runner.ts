import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface RunnerProcess {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  readonly pid: number
  /** everything the runner printed, for assertions and for failure messages */
  output(): string
  /** sends the signal and resolves with the exit code (or the signal that ended it) */
  stop(signal?: NodeJS.Signals): Promise<number | string>
  exited(): Promise<number | string>
}

export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

/** Starts `runner/main.ts` as a real child process and waits until it reports ready. */
export async function startRunnerProcess(env: Record<string, string> = {}, o: { readyTimeoutMs?: number } = {}): Promise<RunnerProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'runner/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      CRAWLFLEET_HOST: '127.0.0.1',
      CRAWLFLEET_RUNNER_ID: `runner-${port}`,
      CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
      CRAWLFLEET_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exit = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000)
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`runner exited before ready:\n${out}`)
    const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false)
    if (ready) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`runner not ready in time:\n${out}`)
    }
    // polling a port that is not open yet: there is no event to wait for
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    port,
    child,
    pid: child.pid!,
    output: () => out,
    exited: () => exit,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exit
    },
  }
}
