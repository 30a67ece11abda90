import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { LocalEdge } from '../../edge/local-server.ts'
import { rankRunners } from '../../edge/routing/rendezvous.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { processesTagged } from '../helpers/processes.ts'
import { startEdge } from '../helpers/start-edge.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

export const API_KEY = 'cluster-test-key'
/** for a beforeAll that starts a cluster: its runners start one after another, and on a busy machine each can take a minute */
export const CLUSTER_STARTUP_TIMEOUT_MS = 300_000
export const HMAC_SECRET = 'cluster-test-hmac-secret'

export interface Cluster {
  readonly runners: RunnerProcess[]
  readonly edge: LocalEdge
  readonly site: FixtureSite
  readonly tag: string
  /** the runner (its X-Runner-Id) that rendezvous puts first for a signature, among the live runners */
  expectedRunner(signature: string, among?: readonly RunnerProcess[]): string
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>
  stop(): Promise<void>
}

export const edgeIdOf = (r: { port: number }) => `127.0.0.1:${r.port}`
/** the X-Runner-Id a runner process answers with (CRAWLFLEET_RUNNER_ID) */
export const runnerIdOf = (r: { id: string }) => r.id

/** The fixture site, N runner processes sharing the HMAC secret, and an edge in front of them. */
export async function startCluster(o: { runners?: number; allowCidrs?: string; runnerEnv?: Record<string, string> } = {}): Promise<Cluster> {
  const tag = `cluster-${process.pid}-${Date.now()}`
  const allowCidrs = o.allowCidrs ?? '127.0.0.0/8'
  const site = await startFixtureSite()
  const env = { CRAWLFLEET_HMAC_SECRET: HMAC_SECRET, CRAWLFLEET_ALLOW_CIDRS: allowCidrs, CRAWLFLEET_TEST_TAG: tag, ...o.runnerEnv }
  // one at a time: three Chromium launches at once on two cores only make each slower
  const runners: RunnerProcess[] = []
  let edge: LocalEdge
  try {
    for (let i = 0; i < (o.runners ?? 3); i++) runners.push(await startRunnerProcess(env, { readyTimeoutMs: 90_000 }))
    edge = await startEdge({ runners: runners.map((r) => r.url), apiKeys: [API_KEY], hmacSecret: HMAC_SECRET, allowCidrs: allowCidrs.split(',') })
  } catch (err) {
    // a cluster that could not start leaves nothing running: the runners it did start, and their browsers, stop here
    await Promise.all(runners.map((r) => r.stop('SIGKILL')))
    await killTagged(tag)
    await site.close()
    throw err
  }
  return {
    runners,
    edge,
    site,
    tag,
    expectedRunner(signature, among = runners) {
      const first = rankRunners(signature, among.map(edgeIdOf))[0]
      return runnerIdOf(among.find((r) => edgeIdOf(r) === first)!)
    },
    post: (path, body, headers = {}) =>
      fetch(`${edge.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    async stop() {
      await edge.close()
      await Promise.all(runners.map((r) => r.stop('SIGTERM')))
      await site.close()
      // a runner killed with SIGKILL cannot close its browsers; end whatever it left behind
      await killTagged(tag)
    },
  }
}

async function killTagged(tag: string): Promise<void> {
  for (const pid of await processesTagged(tag)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

export interface Recorder {
  readonly url: string
  readonly port: number
  readonly requests: string[]
  /** TCP connections accepted, whether or not a request followed */
  connections(): number
  close(): Promise<void>
}

/** A loopback listener that records every request: the SSRF tests prove nothing ever reaches it. */
export async function startRecorder(host: string, answer: { status: number; headers?: Record<string, string>; body?: string } = { status: 200, body: 'secret' }): Promise<Recorder> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    req.resume()
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
    res.end(answer.body ?? '')
  })
  server.on('connection', (s) => {
    sockets.add(s)
    connections++
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
