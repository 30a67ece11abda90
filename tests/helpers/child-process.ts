import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A TypeScript entry of this repo running as its own Node process, its output kept. */
export interface TsxProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** everything it printed, stdout and stderr, for readiness checks and failure messages */
  output(): string
  /** the first IPC message (process.send) that `match` accepts, or a rejection when the process exits first */
  message<M>(match: (m: unknown) => m is M): Promise<M>
  isRunning(): boolean
  /** resolves with the exit code, or the signal that ended it */
  exited(): Promise<number | string>
  /** sends the signal (unless it already ended) and waits for the exit */
  stop(signal?: NodeJS.Signals): Promise<number | string>
}

export interface SpawnOptions {
  /** run it as another user (the caller must be root) */
  readonly as?: { uid: number; gid: number }
  /**
   * the command line instead of `node --import tsx <entry>`: e.g. `[process.execPath, 'dist/runner.mjs']`
   * for the built runner, or a shell that joins a cgroup and then execs node (the IPC channel survives exec)
   */
  readonly argv?: readonly string[]
}

/** `as` runs it as another user (the caller must be root). */
export function spawnTsx(entry: string, env: Record<string, string | undefined>, o: SpawnOptions = {}): TsxProcess {
  // a temp directory of its own, removed when it exits: what Playwright leaves there (profiles and
  // artifacts of browsers killed with their runner) does not outlive the test
  const tmp = mkdtempSync(join(tmpdir(), 'crawlfleet-proc-'))
  if (o.as) chownSync(tmp, o.as.uid, o.as.gid)
  const [command, ...args] = o.argv ?? [process.execPath, '--import', 'tsx', entry]
  const child = spawn(command!, args, { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...o.as })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const messages: unknown[] = []
  child.on('message', (m) => messages.push(m))
  const exit = once(child, 'exit').then(([code, signal]) => {
    rmSync(tmp, { recursive: true, force: true })
    return (code ?? signal) as number | string
  })
  const isRunning = () => child.exitCode === null && child.signalCode === null
  return {
    child,
    pid: child.pid!,
    output: () => out,
    message: <M>(match: (m: unknown) => m is M) =>
      new Promise<M>((resolve, reject) => {
        const seen = messages.find(match)
        if (seen !== undefined) return resolve(seen)
        const onMessage = (m: unknown) => {
          if (!match(m)) return
          child.off('message', onMessage)
          resolve(m)
        }
        child.on('message', onMessage)
        void exit.then((how) => {
          child.off('message', onMessage)
          reject(new Error(`${entry} exited (${how}) before it sent the message:\n${out}`))
        })
      }),
    isRunning,
    exited: () => exit,
    stop: (signal = 'SIGTERM') => {
      if (isRunning()) child.kill(signal)
      return exit
    },
  }
}

/**
 * Polls `ready` until it holds; a process coming up opens its port with no event to wait for.
 * Throws (after stopping the process) when it exits first or the time runs out, with its output.
 */
export async function waitUntilReady(what: string, proc: TsxProcess, ready: () => boolean | Promise<boolean>, o: { timeoutMs: number; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs
  for (;;) {
    if (!proc.isRunning()) throw new Error(`${what} exited before it was ready:\n${proc.output()}`)
    if (await ready()) return
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL')
      throw new Error(`${what} not ready within ${o.timeoutMs} ms:\n${proc.output()}`)
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 100))
  }
}

export interface Listening {
  readonly event: 'listening'
  readonly url: string
  readonly port: number
}

/** The message a runner (runner/main.ts) sends its parent once it listens. */
export const isListening = (m: unknown): m is Listening => (m as Listening | null)?.event === 'listening'

/** true when GET url answers 2xx */
export const answersOk = (url: string) => () => fetch(url).then((r) => r.ok, () => false)
