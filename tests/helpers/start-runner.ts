import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { answersOk, isListening, spawnTsx, waitUntilReady } from './child-process.ts'

let started = 0

export interface RunnerProcess {
  /** CRAWLFLEET_RUNNER_ID, which it sends back as x-runner-id */
  readonly id: string
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
export async function startRunnerProcess(
  env: Record<string, string> = {},
  o: {
    readyTimeoutMs?: number
    /** @default 0: the runner takes a free port and tells us */
    port?: number
    /** a loopback address of its own, like a task's IP. @default 127.0.0.1 */
    host?: string
    /** run it as another user (the caller must be root) */
    as?: { uid: number; gid: number }
    /** the command line instead of `node --import tsx runner/main.ts` (the built runner, a cgroup wrapper) */
    argv?: readonly string[]
  } = {},
): Promise<RunnerProcess> {
  // port 0: the runner takes a free port itself and tells us which (a port picked here could be taken before it binds)
  const host = o.host ?? '127.0.0.1'
  const id = env.CRAWLFLEET_RUNNER_ID ?? (host === '127.0.0.1' ? `runner-${process.pid}-${++started}` : `runner-${host}`)
  const proc = spawnTsx('runner/main.ts', {
    PORT: String(o.port ?? 0),
    CRAWLFLEET_HOST: host,
    CRAWLFLEET_RUNNER_ID: id,
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_LOG_LEVEL: 'warn',
    // fixed slots: tests do arithmetic with the plan's pageSlots, and a shared machine's loop delay
    // would move the adapted ones under them (slot adaptation has its own tests: tests/unit/pool/slot-policy.test.ts)
    CRAWLFLEET_ADAPT_SLOTS: 'off',
    ...env,
  }, { as: o.as, argv: o.argv })
  const timeoutMs = o.readyTimeoutMs ?? 60_000
  const timer = setTimeout(() => void proc.stop('SIGKILL'), timeoutMs)
  const { port } = await proc.message(isListening).finally(() => clearTimeout(timer))
  const url = `http://${host}:${port}`
  await waitUntilReady('runner', proc, answersOk(`${url}/ready`), { timeoutMs })
  return { id, url, port, child: proc.child, pid: proc.pid, output: proc.output, exited: proc.exited, stop: proc.stop }
}
