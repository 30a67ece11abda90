import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { ALLOWED_EXTRA_ARGS } from '../../runner/contract/browser-config.ts'
import { DEFAULT_SIGNATURE, launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import type { BrowserConfigInput } from '../../runner/contract/browser-config.ts'
import { rankRunners } from '../../edge/routing/rendezvous.ts'
import { startEdge } from '../helpers/start-edge.ts'
import { CLUSTER_STARTUP_TIMEOUT_MS, API_KEY, edgeIdOf, HMAC_SECRET, runnerIdOf, startCluster, startRecorder, type Cluster } from './cluster.ts'

// The edge in front of three real runner processes on loopback, with the fixture site.

let cluster: Cluster
const sigOf = (bc: BrowserConfigInput) => signatureOf(launchOptionsFrom(bc))
/** browser configs of one flag each whose launch signature is not the default: the allowed flags, then --lang= variants (676) */
function launchVariants(): { extra_args: string[] }[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  const langs = [...letters].flatMap((a) => [...letters].map((b) => `--lang=${a}${b}`))
  return [...ALLOWED_EXTRA_ARGS.filter((a): a is string => typeof a === 'string'), ...langs]
    .map((a) => ({ extra_args: [a] }))
    .filter((c) => sigOf(c) !== DEFAULT_SIGNATURE)
}

beforeAll(async () => {
  cluster = await startCluster({ runners: 3 })
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await cluster?.stop()
})

describe('cluster: routing', () => {
  it('sends one launch signature to the same runner every time', async () => {
    const bc = { text_mode: true }
    const expected = cluster.expectedRunner(sigOf(bc))
    const served: string[] = []
    for (let i = 0; i < 5; i++) {
      const res = await cluster.post('/html', { url: `${cluster.site.url}/about.html?i=${i}`, browser_config: bc })
      expect(res.status, await res.clone().text()).toBe(200)
      served.push(res.headers.get('x-runner-id') ?? '')
      await res.body?.cancel()
    }
    expect(served).toEqual(Array(5).fill(expected))
  })

  it('passes the runner\'s Server-Timing on to the caller: its wait for a page slot and its whole time', async () => {
    const res = await cluster.post('/html', { url: `${cluster.site.url}/about.html?timing` })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(res.headers.get('server-timing')).toMatch(/^queue;dur=[\d.]+;desc="[^"]+",\s*total;dur=[\d.]+;desc="runner"$/)
    await res.body?.cancel()
  })

  it('spreads several launch signatures over the runners, each on its rendezvous choice', async () => {
    const configs: BrowserConfigInput[] = [{ text_mode: true }, { light_mode: true }, { extra_args: ['--hide-scrollbars'] }]
    // add flags until rendezvous puts the signatures on all three runners (which depends on the ports)
    // only flags that make a launch signature: one every browser already has (--disable-gpu) is the default browser, placed per request
    const spare = launchVariants().filter((c) => c.extra_args[0] !== '--hide-scrollbars')
    while (new Set(configs.map((c) => cluster.expectedRunner(sigOf(c)))).size < 3) configs.push(spare.shift()!)
    for (const bc of configs) {
      const res = await cluster.post('/html', { url: `${cluster.site.url}/`, browser_config: bc })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-runner-id')).toBe(cluster.expectedRunner(sigOf(bc)))
      await res.body?.cancel()
    }
  })

  it('moves a request past a runner answering 503 to the next runner in its order', async () => {
    const draining = await startRecorder('127.0.0.1', {
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '1', 'x-runner-id': 'draining' },
      body: JSON.stringify({ success: false, error: { code: 'DRAINING', message: 'the runner is shutting down' } }),
    })
    const all = [...cluster.runners.map((r) => r.url), draining.url]
    const edge = await startEdge({ runners: all, apiKeys: [API_KEY], hmacSecret: HMAC_SECRET, allowCidrs: ['127.0.0.0/8'] })
    try {
      const ids = [...cluster.runners.map(edgeIdOf), `127.0.0.1:${draining.port}`]
      // a signature whose first choice is the draining runner
      const bc = launchVariants().find((c) => rankRunners(sigOf(c), ids)[0] === ids[3])!
      expect(bc).toBeDefined()
      const second = rankRunners(sigOf(bc), ids)[1]
      const expected = runnerIdOf(cluster.runners.find((r) => edgeIdOf(r) === second)!)
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${edge.url}/html`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${cluster.site.url}/`, browser_config: bc }),
        })
        expect(res.status).toBe(200)
        expect(res.headers.get('x-runner-id')).toBe(expected)
        await res.body?.cancel()
      }
      expect(draining.requests.length).toBeGreaterThanOrEqual(1)
    } finally {
      await edge.close()
      await draining.close()
    }
  })
})

describe('cluster: auth', () => {
  it('answers 401 without a key and 403 with a wrong one, before any runner', async () => {
    const body = JSON.stringify({ url: `${cluster.site.url}/` })
    const before = cluster.site.requests.length
    const none = await fetch(`${cluster.edge.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: { code: 'API_KEY_MISSING' } })
    const wrong = await fetch(`${cluster.edge.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body })
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toMatchObject({ error: { code: 'API_KEY_WRONG' } })
    expect(cluster.site.requests.length).toBe(before)
  })

  it('has runners refuse a direct request that the edge did not sign', async () => {
    const runner = cluster.runners[0]
    const body = JSON.stringify({ url: `${cluster.site.url}/` })
    const unsigned = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(unsigned.status).toBe(401)
    expect(await unsigned.json()).toMatchObject({ error: { code: 'UNSIGNED' } })
    const forged = await fetch(`${runner.url}/html`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest('not-the-secret', 'POST', '/html', Date.now(), body) },
      body,
    })
    expect(forged.status).toBe(401)
    const signed = await fetch(`${runner.url}/html`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(HMAC_SECRET, 'POST', '/html', Date.now(), body) },
      body,
    })
    expect(signed.status).toBe(200)
    await signed.body?.cancel()
  })
})
