import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { answersOk, spawnTsx, waitUntilReady } from './child-process.ts'

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
export async function startRunnerProcess(env: Record<string, string> = {}, o: { readyTimeoutMs?: number; as?: { uid: number; gid: number } } = {}): Promise<RunnerProcess> {
  const port = await freePort()
  const proc = spawnTsx('runner/main.ts', {
    PORT: String(port),
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_RUNNER_ID: `runner-${port}`,
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_LOG_LEVEL: 'warn',
    ...env,
  }, { as: o.as })
  const url = `http://127.0.0.1:${port}`
  await waitUntilReady('runner', proc, answersOk(`${url}/ready`), { timeoutMs: o.readyTimeoutMs ?? 60_000 })
  return { url, port, child: proc.child, pid: proc.pid, output: proc.output, exited: proc.exited, stop: proc.stop }
}
