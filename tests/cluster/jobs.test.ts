import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rankRunners } from '../../edge/routing/rendezvous.ts'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'
import { parseTaskId, runnerKeyOf } from '../../runner/contract/job-id.ts'
import { launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import { isListening, spawnTsx, type TsxProcess } from '../helpers/child-process.ts'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.ts'
import { API_KEY, CLUSTER_STARTUP_TIMEOUT_MS, edgeIdOf, HMAC_SECRET, startCluster, type Cluster } from './cluster.ts'

// Jobs through the fleet: created through one edge, polled through another edge process (no state is
// shared between edges but the task id), webhooks signed and retried, a runner killed mid-job.

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`
let cluster: Cluster
let otherEdge: TsxProcess
let otherEdgeUrl: string
let llm: FakeOpenAi

beforeAll(async () => {
  llm = await startFakeOpenAi()
  cluster = await startCluster({
    runners: 2,
    runnerEnv: { CRAWLFLEET_WEBHOOK_SECRET: WEBHOOK_SECRET, CRAWLFLEET_WEBHOOK_RETRY_MS: '200', CRAWLFLEET_LLM_BASE_URL: llm.baseUrl, CRAWLFLEET_LLM_MODEL: 'test-model' },
  })
  otherEdge = spawnTsx('edge/local.ts', {
    PORT: '0',
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_RUNNERS: cluster.runners.map((r) => r.url).join(','),
    CRAWLFLEET_API_KEYS: API_KEY,
    CRAWLFLEET_HMAC_SECRET: HMAC_SECRET,
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_LOG_LEVEL: 'warn',
  })
  otherEdgeUrl = (await otherEdge.message(isListening)).url
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await otherEdge?.stop()
  await cluster?.stop()
  await llm?.close()
})

const getJson = async (url: string) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

/** Polls a job's status until it is finished, through the given edge. */
async function finished(edgeUrl: string, taskId: string, kind = 'crawl', timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { status, body } = await getJson(`${edgeUrl}/${kind}/job/${taskId}`)
    expect(status).toBe(200)
    if (body.status === 'completed' || body.status === 'failed') return body
    if (Date.now() > deadline) throw new Error(`job ${taskId} still ${body.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('cluster: jobs', () => {
  it('answers 202 with a task id through one edge, and the result through another edge process', async () => {
    const urls = [`${cluster.site.url}/`, `${cluster.site.url}/about.html`]
    const res = await cluster.post('/crawl/job', { urls })
    expect(res.status).toBe(202)
    const { task_id } = (await res.json()) as { task_id: string }
    const id = parseTaskId(task_id)!
    expect(id.kind).toBe('crawl')
    expect(cluster.runners.map((r) => runnerKeyOf(edgeIdOf(r)))).toContain(id.runnerKey)

    const job = await finished(otherEdgeUrl, task_id)
    expect(job).toMatchObject({ task_id, status: 'completed', url: urls })
    expect(job.result.results.map((r: { url: string; success: boolean }) => [r.url, r.success])).toEqual(urls.map((u) => [u, true]))
    // the same answer through the edge that took the job
    expect((await getJson(`${cluster.edge.url}/crawl/job/${task_id}`)).body.result.results).toHaveLength(2)
  })

  it('runs /llm/job too: the answer /llm would give, as the job’s result', async () => {
    llm.script({ kind: 'content', content: 'A fixture page.' })
    const res = await cluster.post('/llm/job', { url: `${cluster.site.url}/`, q: 'What is this page?' })
    expect(res.status).toBe(202)
    const { task_id } = (await res.json()) as { task_id: string }
    expect(task_id).toMatch(/^llm_/)
    expect(await finished(otherEdgeUrl, task_id, 'llm')).toMatchObject({ status: 'completed', url: `${cluster.site.url}/`, result: { answer: 'A fixture page.' } })
  })

  it('refuses a job whose webhook URL the URL policy refuses, and answers 404 for a task id that is not a job', async () => {
    const refused = await cluster.post('/crawl/job', { urls: [`${cluster.site.url}/`], webhook_config: { webhook_url: 'http://169.254.169.254/latest' } })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'URL_REFUSED', field: 'webhook_config.webhook_url' } })
    const unknown = await getJson(`${otherEdgeUrl}/crawl/job/crawl_nothing`)
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'JOB_NOT_FOUND' } } })
  })

  it('delivers a signed webhook, retried after the receiver first answers 500, and shows the deliveries in the status', async () => {
    const received: { headers: IncomingHttpHeaders; body: string; answered: number }[] = []
    let delivered!: () => void
    const secondDelivery = new Promise<void>((resolve) => (delivered = resolve))
    const receiver = await listenOnLoopback(
      createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
          const answered = received.length === 0 ? 500 : 200
          received.push({ headers: req.headers, body, answered })
          res.writeHead(answered).end()
          if (received.length === 2) delivered()
        })
      }),
    )
    try {
      const res = await cluster.post('/crawl/job', {
        urls: [`${cluster.site.url}/`],
        webhook_config: { webhook_url: `http://127.0.0.1:${receiver.port}/hook`, webhook_data_in_payload: true, webhook_headers: { 'x-tenant': 'acme' } },
      })
      expect(res.status).toBe(202)
      const { task_id } = (await res.json()) as { task_id: string }
      await secondDelivery
      expect(received.map((r) => r.answered)).toEqual([500, 200])
      const verifier = new Webhook(WEBHOOK_SECRET)
      for (const r of received) {
        const payload = verifier.verify(r.body, r.headers as Record<string, string>) as Record<string, any>
        expect(payload).toMatchObject({ task_id, task_type: 'crawl', status: 'completed', urls: [`${cluster.site.url}/`] })
        expect(payload.data.results[0].success).toBe(true)
        expect(r.headers['x-tenant']).toBe('acme')
        expect(r.headers['webhook-id']).toBe(task_id)
      }
      // a body altered on the way does not verify
      expect(() => verifier.verify(received[1]!.body.replace('completed', 'failed'), received[1]!.headers as Record<string, string>)).toThrow()

      const status = (await getJson(`${otherEdgeUrl}/crawl/job/${task_id}`)).body
      expect(status.webhook).toMatchObject({ url: `http://127.0.0.1:${receiver.port}/hook`, state: 'delivered' })
      expect(status.webhook.attempts.map((a: { status: number }) => a.status)).toEqual([500, 200])
    } finally {
      await receiver.close()
    }
  })

  it('answers failed with the reason, not processing, when the runner holding the job is killed mid-job', async () => {
    // a launch option pins the job to one runner, which we kill while it renders the slow page
    const pinned = { text_mode: true }
    const first = rankRunners(signatureOf(launchOptionsFrom(pinned)), cluster.runners.map(edgeIdOf))[0]
    const victim = cluster.runners.find((r) => edgeIdOf(r) === first)!
    const rendering = cluster.site.waitForRequest('/slow?job=killed')
    const res = await cluster.post('/crawl/job', { urls: [`${cluster.site.url}/slow?job=killed&ms=20000`], browser_config: pinned })
    expect(res.status).toBe(202)
    const { task_id } = (await res.json()) as { task_id: string }
    expect(parseTaskId(task_id)!.runnerKey).toBe(runnerKeyOf(edgeIdOf(victim)))
    await rendering
    expect((await getJson(`${otherEdgeUrl}/crawl/job/${task_id}`)).body.status).toBe('processing')
    await victim.stop('SIGKILL')

    for (const edge of [otherEdgeUrl, cluster.edge.url]) {
      const { status, body } = await getJson(`${edge}/crawl/job/${task_id}`)
      expect(status).toBe(200)
      expect(body).toMatchObject({ task_id, status: 'failed' })
      expect(body.error).toMatch(/cannot be reached .*ECONNREFUSED.*lost/)
    }
  })
})
