import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { listProcesses } from '../../runner/browser/process-tree.ts'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { isListening, spawnTsx } from '../../tests/helpers/child-process.ts'
import { startRunnerProcess } from '../../tests/helpers/start-runner.ts'
import { CLIENT_TIMEOUT_MS } from './http.ts'
import { progress } from './report.ts'

const READY_TIMEOUT_MS = 120_000

export interface StackRunner {
  readonly id: string
  readonly url: string
  /** the runner's Node process; its tree holds its Chromium */
  readonly pid: number
}

export interface Stack {
  readonly mode: 'local-stack' | 'single-runner'
  /** why the local stack was not used, in single-runner mode */
  readonly fallbackReason?: string
  /** where clients send their requests: the edge, or the runner itself */
  readonly url: string
  readonly runners: readonly StackRunner[]
  /** the edge's process (the stack script), which the runners' PSS does not include */
  readonly edgePid?: number
  /** GET on one runner directly, signed when the stack signs its edge → runner calls */
  runnerGet(r: StackRunner, path: string): Promise<Response>
  stop(): Promise<void>
}

/** `scripts/local-stack.ts` (edge + runners, as `npm start` runs it), or one runner process if that does not come up. */
export async function startStack(o: { runners: number; env: Record<string, string>; preferLocalStack: boolean }): Promise<Stack> {
  let reason = 'the single-runner mode was asked for'
  if (o.preferLocalStack) {
    try {
      return await startLocalStack(o.runners, o.env)
    } catch (err) {
      reason = `the local stack did not start: ${(err as Error).message.slice(0, 500)}`
      progress(`${reason}; falling back to one runner process`)
    }
  }
  const runner = await startRunnerProcess({ CRAWLFLEET_LOG_LEVEL: 'warn', ...o.env }, { readyTimeoutMs: READY_TIMEOUT_MS })
  const r: StackRunner = { id: `runner-${runner.port}`, url: runner.url, pid: runner.pid }
  return {
    mode: 'single-runner',
    fallbackReason: reason,
    url: runner.url,
    runners: [r],
    runnerGet: (_r, path) => fetch(`${runner.url}${path}`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }),
    stop: async () => void (await runner.stop('SIGTERM')),
  }
}

async function startLocalStack(count: number, env: Record<string, string>): Promise<Stack> {
  const secret = randomBytes(32).toString('hex')
  const proc = spawnTsx('scripts/local-stack.ts', {
    PORT: '0',
    CRAWLFLEET_RUNNER_COUNT: String(count),
    CRAWLFLEET_HMAC_SECRET: secret,
    CRAWLFLEET_API_KEYS: '', // an open edge: it then listens on loopback only
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_LOG_LEVEL: 'warn',
    CRAWLFLEET_STOP_TIMEOUT_MS: '10000',
    ...env,
  })
  const stop = async () => void (await proc.stop())
  try {
    // the stack says where it listens once every runner is ready and the edge listens
    const timer = setTimeout(() => void proc.stop('SIGKILL'), READY_TIMEOUT_MS)
    const { url } = await proc.message(isListening).finally(() => clearTimeout(timer))
    if (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) throw new Error('the edge does not answer /health')
    const runners = await runnersOf(proc.pid)
    if (runners.length !== count) throw new Error(`found ${runners.length} runner processes, expected ${count}`)
    return {
      mode: 'local-stack',
      url,
      runners,
      edgePid: proc.pid,
      runnerGet: (r, path) =>
        fetch(`${r.url}${path}`, { headers: signRequest(secret, 'GET', path, Date.now(), ''), signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The stack's runner children, with the port and id each was given in its environment. */
async function runnersOf(stackPid: number): Promise<StackRunner[]> {
  const found: StackRunner[] = []
  for (const p of await listProcesses()) {
    if (p.ppid !== stackPid) continue
    const cmdline = await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '')
    if (!cmdline.includes('runner/main.ts')) continue
    const env = new Map(
      (await readFile(`/proc/${p.pid}/environ`, 'utf8')).split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
    )
    found.push({ id: env.get('CRAWLFLEET_RUNNER_ID') ?? String(p.pid), url: `http://127.0.0.1:${env.get('PORT')}`, pid: p.pid })
  }
  return found.sort((a, b) => a.id.localeCompare(b.id))
}
