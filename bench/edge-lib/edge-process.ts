import { answersOk, isListening, spawnTsx, waitUntilReady } from '../../tests/helpers/child-process.ts'

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
  const proc = spawnTsx('edge/local.ts', { PORT: '0', CRAWLFLEET_HOST: '127.0.0.1', CRAWLFLEET_LOG_LEVEL: 'warn', ...env })
  const timer = setTimeout(() => void proc.stop('SIGKILL'), readyTimeoutMs)
  const { url } = await proc.message(isListening).finally(() => clearTimeout(timer))
  await waitUntilReady('edge', proc, answersOk(`${url}/health`), { timeoutMs: readyTimeoutMs })
  return { url, pid: proc.pid, output: proc.output, stop: async () => void (await proc.stop()) }
}
