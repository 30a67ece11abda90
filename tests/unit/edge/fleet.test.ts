import { describe, expect, it } from 'vitest'
import { dashboardLinks } from '../../../edge/fleet/dashboard-link.ts'
import { mergePrometheusText } from '../../../edge/fleet/merge-metrics.ts'
import { createRunnerCaller } from '../../../edge/fleet/runner-call.ts'
import { staticDiscovery } from '../../../edge/discovery/static.ts'
import { formatTaskId, runnerKeyOf } from '../../../runner/contract/job-id.ts'
import { verifyRequest } from '../../../runner/contract/request-hmac.ts'
import { connectionRefused, fakeClock, fakeTransport, hostOf, runnerAnswer, runnerUrls, testEdge, type SentRequest } from './support.ts'

const urls = runnerUrls(3)
const hosts = urls.map((u) => new URL(u).host)

/** The real edge app with its fleet features, over fake runners. */
function fleetEdge(answer: (req: SentRequest) => Response | Promise<Response>, o: { hmacSecret?: string } = {}) {
  const clock = fakeClock()
  const { transport, sent } = fakeTransport(answer)
  const discovery = staticDiscovery(urls)
  const links = dashboardLinks({ key: async () => Buffer.alloc(32, 1), wallMs: clock.wallMs, ttlMs: 60_000 })
  const edge = testEdge({ transport, runners: urls, clock, hmacSecret: o.hmacSecret, dns: { 'hooks.example': ['93.184.215.14'] }, overrides: { fleet: { caller: createRunnerCaller({ discovery, clock, hmacSecret: async () => o.hmacSecret, transport }), links } } })
  const get = (path: string, key = true) => edge.app.request(path, { headers: key ? { authorization: 'Bearer test-key' } : {} })
  return { ...edge, sent, get, links, clock }
}

describe('edge: /ready, /pressure and /metrics over every runner', () => {
  it('is ready while any runner is, and says how many are; open, without a key', async () => {
    const some = fleetEdge((req) => (hostOf(req) === hosts[0] ? connectionRefused() : runnerAnswer(hostOf(req), 200, '{"ready":true}')))
    const res = await some.get('/ready', false)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ready: true, runners: { ready: 2, total: 3 } })
    const none = fleetEdge((req) => runnerAnswer(hostOf(req), 503, '{"ready":false}'))
    expect((await none.get('/ready', false)).status).toBe(503)
  })

  it('gathers /pressure from every runner, signed, with the totals, and reports one that fails', async () => {
    const pressure = (n: number) => JSON.stringify({ available: true, pool: { permanent: 1, hot: n, cold: 0, running: n, queued: 0 }, plan: { pageSlots: 4 } })
    const edge = fleetEdge((req) => (hostOf(req) === hosts[2] ? connectionRefused() : runnerAnswer(hostOf(req), 200, pressure(hostOf(req) === hosts[0] ? 1 : 2))), { hmacSecret: 's3cret' })
    expect((await edge.get('/pressure', false)).status).toBe(401)
    const body = (await (await edge.get('/pressure')).json()) as any
    expect(body.totals).toEqual({ runners: 3, answering: 2, available: 2, browsers: { permanent: 2, hot: 3, cold: 0 }, running: 3, queued: 0, page_slots: 8 })
    expect(body.runners.map((r: any) => [r.id, r.ok])).toEqual([[hosts[0], true], [hosts[1], true], [hosts[2], false]])
    expect(body.runners[2].error).toBe('ECONNREFUSED')
    for (const req of edge.sent) {
      expect(() => verifyRequest('s3cret', { method: 'GET', pathWithQuery: '/pressure', body: '', signature: req.headers.get('x-crawlfleet-hmac') ?? undefined, timestamp: req.headers.get('x-crawlfleet-timestamp') ?? undefined }, edge.clock.wallMs())).not.toThrow()
      expect(req.headers.get('x-crawlfleet-runner-key')).toBe(runnerKeyOf(hostOf(req)))
    }
  })

  it('serves /metrics as one exposition, each family once, every runner’s samples, behind the key', async () => {
    const text = (r: string) => `# HELP crawlfleet_queue_depth queued\n# TYPE crawlfleet_queue_depth gauge\ncrawlfleet_queue_depth{runner="${r}"} 1\n`
    const edge = fleetEdge((req) => runnerAnswer(hostOf(req), 200, text(hostOf(req))))
    expect((await edge.get('/metrics', false)).status).toBe(401)
    const body = await (await edge.get('/metrics')).text()
    expect(body.match(/# HELP crawlfleet_queue_depth/g)).toHaveLength(1)
    expect(body.match(/^crawlfleet_queue_depth\{/gm)).toHaveLength(3)
    expect(body).toContain(`crawlfleet_edge_runner_up{runner="${hosts[1]}"} 1`)
  })
})

describe('edge: jobs by task id', () => {
  const idFor = (host: string, createdSec = 1_750_000_000) => formatTaskId({ kind: 'crawl', runnerKey: runnerKeyOf(host), instance: '01234567', createdSec })

  it('forwards a job to a runner with the key it knows it by, and checks the webhook URL first', async () => {
    const edge = fleetEdge((req) => runnerAnswer(hostOf(req), 202, '{"task_id":"x"}'))
    const refused = await edge.post('/crawl/job', { urls: ['http://93.184.215.14/'], webhook_config: { webhook_url: 'http://10.0.0.8/hook' } })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'URL_REFUSED', field: 'webhook_config.webhook_url', rule: 'private-address' } })
    expect(edge.sent).toHaveLength(0)
    const ok = await edge.post('/crawl/job', { urls: ['http://93.184.215.14/'], webhook_config: { webhook_url: 'https://hooks.example/in' } })
    expect(ok.status).toBe(202)
    expect(edge.sent[0]!.headers.get('x-crawlfleet-runner-key')).toBe(runnerKeyOf(hostOf(edge.sent[0]!)))
  })

  it('asks only the runner the task id names', async () => {
    const edge = fleetEdge((req) => runnerAnswer(hostOf(req), 200, '{"status":"processing"}'))
    const id = idFor(hosts[1]!)
    const res = await edge.get(`/crawl/job/${id}`)
    expect(await res.json()).toEqual({ status: 'processing' })
    expect(edge.sent.map((r) => [hostOf(r), r.url.pathname])).toEqual([[hosts[1], `/crawl/job/${id}`]])
    expect((await edge.get(`/llm/job/${id}`)).status).toBe(404) // a crawl id on the llm path
  })

  it('answers failed with the reason when that runner cannot be reached, or is gone from the list', async () => {
    const edge = fleetEdge(() => connectionRefused())
    const unreachable = await edge.get(`/crawl/job/${idFor(hosts[0]!)}`)
    expect(await unreachable.json()).toMatchObject({ status: 'failed', error: expect.stringContaining('cannot be reached (ECONNREFUSED)') })
    const gone = await edge.get(`/crawl/job/${idFor('10.9.9.9:11235')}`)
    expect(gone.status).toBe(200)
    expect(await gone.json()).toMatchObject({ status: 'failed', error: expect.stringContaining('gone') })
  })

  it('asks the client to come back while a young job’s runner may not be in this edge’s list yet', async () => {
    const edge = fleetEdge(() => connectionRefused())
    const young = await edge.get(`/crawl/job/${idFor('10.9.9.9:11235', Math.floor(edge.clock.wallMs() / 1000) - 5)}`)
    expect(young.status).toBe(503)
    expect(young.headers.get('x-crawlfleet-error')).toBe('NO_RUNNER')
  })
})

describe('mergePrometheusText', () => {
  it('keeps histogram samples with their family and labels a sample that has no runner', () => {
    const a = '# HELP h latency\n# TYPE h histogram\nh_bucket{le="1",runner="a"} 1\nh_sum{runner="a"} 0.5\nh_count{runner="a"} 1\n# HELP up up\n# TYPE up gauge\nup 1\n'
    const b = '# HELP h latency\n# TYPE h histogram\nh_bucket{le="1",runner="b"} 2\nh_sum{runner="b"} 1\nh_count{runner="b"} 2\n'
    expect(mergePrometheusText([{ runner: 'a', text: a }, { runner: 'b', text: b }]).split('\n')).toEqual([
      '# HELP h latency', '# TYPE h histogram',
      'h_bucket{le="1",runner="a"} 1', 'h_sum{runner="a"} 0.5', 'h_count{runner="a"} 1',
      'h_bucket{le="1",runner="b"} 2', 'h_sum{runner="b"} 1', 'h_count{runner="b"} 2',
      '# HELP up up', '# TYPE up gauge', 'up{runner="a"} 1', '',
    ])
  })
})

describe('dashboard links', () => {
  it('accept a token they issued until it expires, and nothing forged', async () => {
    let now = 1_000_000
    const links = dashboardLinks({ key: async () => Buffer.alloc(32, 2), wallMs: () => now, ttlMs: 60_000 })
    const { token } = await links.issue()
    expect(await links.verify(token)).toBe(true)
    const other = dashboardLinks({ key: async () => Buffer.alloc(32, 3), wallMs: () => now, ttlMs: 60_000 })
    expect(await other.verify(token)).toBe(false)
    expect(await links.verify(`${(now + 50_000).toString(36)}.${token.split('.')[1]}`)).toBe(false)
    now += 60_001
    expect(await links.verify(token)).toBe(false)
    expect(await links.verify(undefined)).toBe(false)
  })
})
