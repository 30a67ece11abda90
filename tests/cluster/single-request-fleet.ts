import { signRequest } from '../../runner/contract/request-hmac.ts'
import { spawnTsx, waitUntilReady, type TsxProcess } from '../helpers/child-process.ts'
import { API_KEY, HMAC_SECRET, type Cluster } from './cluster.ts'

/** A running stand-in for one Lambda instance of the edge (tests/cluster/lambda-like-edge.ts). */
export interface EdgeInstance {
  readonly proc: TsxProcess
  readonly url: string
}

/**
 * `count` stand-ins for Lambda instances of the edge in front of the cluster's runners, started one
 * after another (each pushed onto `into` as it is ready, so a failed start still stops the others).
 */
export async function startEdgeInstances(cluster: Cluster, count: number, env: Record<string, string>, into: EdgeInstance[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const proc = spawnTsx('tests/cluster/lambda-like-edge.ts', {
      CRAWLFLEET_RUNNERS: cluster.runners.map((r) => r.url).join(','),
      CRAWLFLEET_API_KEYS: API_KEY,
      CRAWLFLEET_HMAC_SECRET: HMAC_SECRET,
      CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
      CRAWLFLEET_LOG_LEVEL: 'warn',
      ...env,
    })
    await waitUntilReady('lambda-like edge', proc, () => /listening \d+/.test(proc.output()), { timeoutMs: 30_000 })
    into.push({ proc, url: `http://127.0.0.1:${/listening (\d+)/.exec(proc.output())![1]}` })
  }
}

/** Lambda's part: every request goes to an idle instance, waiting for one when all are busy. */
export function singleRequestFleet(edges: readonly EdgeInstance[]) {
  const idle = [...edges]
  const waiting: (() => void)[] = []
  return async (body: unknown): Promise<{ status: number; runner: string }> => {
    while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve))
    const edge = idle.shift()!
    try {
      const res = await fetch(`${edge.url}/html`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      await res.arrayBuffer()
      return { status: res.status, runner: res.headers.get('x-runner-id') ?? '' }
    } finally {
      idle.push(edge)
      waiting.shift()?.()
    }
  }
}

/** Requests straight to one runner, signed as the edge signs them: load no edge placed. Abort to end them. */
export function occupy(cluster: Cluster, runner: Cluster['runners'][number], count: number, signal: AbortSignal): Promise<unknown> {
  return Promise.allSettled(
    Array.from({ length: count }, async (_, i) => {
      const body = JSON.stringify({ url: `${cluster.site.url}/slow?ms=60000&busy=${i}`, page_timeout: 90_000 })
      const res = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(HMAC_SECRET, 'POST', '/html', Date.now(), body) }, body, signal })
      await res.arrayBuffer()
    }),
  )
}
