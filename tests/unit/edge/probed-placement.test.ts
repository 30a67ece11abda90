import { describe, expect, it } from 'vitest'
import { probedPlacement } from '../../../edge/routing/probed-placement.ts'
import { rankRunners } from '../../../edge/routing/rendezvous.ts'
import { DEFAULT_SIGNATURE, launchOptionsFrom, signatureOf } from '../../../runner/contract/signature.ts'
import { connectionRefused, fakeTransport, hostOf, runnerAnswer, runnerUrls, testEdge, type SentRequest } from './support.ts'

const ids = Array.from({ length: 10 }, (_, i) => `r${i}`)
const urls = runnerUrls(5)
const idOf = (url: string) => new URL(url).host
const DEFAULT_BODY = { url: 'http://93.184.215.14/' }
const isProbe = (r: SentRequest) => r.method === 'GET' && r.url.pathname === '/ready'

describe('probedPlacement', () => {
  it('probes the request’s candidates and goes to the lightest, bounded by the runner-up’s load', async () => {
    const loads: Record<string, number> = Object.fromEntries(ids.map((id, i) => [id, i / 4]))
    const probed: string[] = []
    const p = await probedPlacement({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: 'req-1', candidates: 3, probe: async (id) => (probed.push(id), loads[id]) })
    const ranked = rankRunners(`${DEFAULT_SIGNATURE}/req-1`, ids)
    expect(probed.sort()).toEqual(ranked.slice(0, 3).sort())
    const byLoad = ranked.slice(0, 3).sort((a, b) => loads[a] - loads[b])
    expect(p.order).toEqual([...byLoad, ...ranked.slice(3)])
    expect(p.guard).toEqual({ runnerId: byLoad[0], aboveLoad: loads[byLoad[1]] })
  })

  it('puts candidates that did not answer last, and reports them', async () => {
    const ranked = rankRunners(`${DEFAULT_SIGNATURE}/req-2`, ids)
    const p = await probedPlacement({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: 'req-2', candidates: 2, probe: async (id) => (id === ranked[0] ? 'down' : 0.5) })
    expect(p.order[0]).toBe(ranked[1])
    expect(p.order.at(-1)).toBe(ranked[0])
    expect(p.down).toEqual([ranked[0]])
    expect(p.guard).toBeUndefined()
  })

  it('never probes for a launch signature: its rendezvous order is its warm browser', async () => {
    const sig = signatureOf(launchOptionsFrom({ text_mode: true }))
    const p = await probedPlacement({ signature: sig, runnerIds: ids, requestKey: 'x', candidates: 2, probe: async () => { throw new Error('probed') } })
    expect(p.order).toEqual(rankRunners(sig, ids))
  })
})

describe('forwarding with probes (the Lambda edge)', () => {
  it('sends a default-signature request to the less loaded of two probed runners, with the other’s load as its bound', async () => {
    const load = (host: string) => (host === idOf(urls[0]) || host === idOf(urls[1]) ? '0.250' : '1.500')
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req), 200, '{}', { 'x-crawlfleet-load': load(hostOf(req)) }))
    const { post } = testEdge({ transport, runners: urls, probe: { candidates: 2 } })
    for (let i = 0; i < 20; i++) expect((await post('/html', DEFAULT_BODY)).status).toBe(200)
    const probes = sent.filter(isProbe)
    const pages = sent.filter((r) => !isProbe(r))
    expect(probes).toHaveLength(40)
    expect(pages).toHaveLength(20)
    for (const [i, page] of pages.entries()) {
      const pair = probes.slice(2 * i, 2 * i + 2).map(hostOf)
      const chosen = [...pair].sort((a, b) => Number(load(a)) - Number(load(b)) || pair.indexOf(a) - pair.indexOf(b))[0]
      expect(hostOf(page)).toBe(chosen)
      expect(page.headers.get('x-crawlfleet-refuse-above-load')).toBe(load(pair.find((h) => h !== chosen)!))
    }
  })

  it('moves to the other candidate at once when the first is above its bound, without putting it in backoff', async () => {
    let refusals = 0
    const { transport, sent } = fakeTransport((req) => {
      if (isProbe(req)) return runnerAnswer(hostOf(req), 200, '{}', { 'x-crawlfleet-load': '0.500' })
      const bound = req.headers.get('x-crawlfleet-refuse-above-load')
      if (bound !== null) {
        refusals++
        return runnerAnswer(hostOf(req), 429, JSON.stringify({ success: false, error: { code: 'BUSIER_THAN_ALTERNATIVE' } }), { 'x-crawlfleet-error': 'BUSIER_THAN_ALTERNATIVE', 'x-crawlfleet-load': '0.750' })
      }
      return runnerAnswer(hostOf(req))
    })
    const { post } = testEdge({ transport, runners: urls.slice(0, 2), probe: { candidates: 2 } })
    for (let i = 0; i < 6; i++) expect((await post('/html', DEFAULT_BODY)).status).toBe(200)
    expect(refusals).toBe(6)
    const pages = sent.filter((r) => !isProbe(r))
    // every request: the bounded first choice, then the other one; both stay in use (no backoff)
    for (let i = 0; i < 6; i++) expect(hostOf(pages[2 * i])).not.toBe(hostOf(pages[2 * i + 1]))
    expect(new Set(pages.map(hostOf)).size).toBe(2)
  })

  it('asks the bounded runner again without the bound when nobody else can take the request', async () => {
    const [a, b] = urls.slice(0, 2).map(idOf)
    const { transport, sent } = fakeTransport((req) => {
      if (isProbe(req)) return runnerAnswer(hostOf(req), 200, '{}', { 'x-crawlfleet-load': hostOf(req) === a ? '0.100' : '0.900' })
      if (hostOf(req) === b) return connectionRefused()
      const bound = req.headers.get('x-crawlfleet-refuse-above-load')
      return bound !== null ? runnerAnswer(a, 429, '{}', { 'x-crawlfleet-error': 'BUSIER_THAN_ALTERNATIVE' }) : runnerAnswer(a)
    })
    const res = await testEdge({ transport, runners: urls.slice(0, 2), probe: { candidates: 2 } }).post('/html', DEFAULT_BODY)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe(a)
    expect(sent.filter((r) => !isProbe(r)).map((r) => [hostOf(r), r.headers.get('x-crawlfleet-refuse-above-load')])).toEqual([[a, '0.900'], [b, null], [a, null]])
  })

  it('skips a runner whose probe fails or that is not ready (draining), trying it only last', async () => {
    const [draining] = urls.map(idOf)
    const { transport, sent } = fakeTransport((req) => {
      if (isProbe(req) && hostOf(req) === draining) return runnerAnswer(draining, 503, '{"ready":false,"draining":true}')
      return runnerAnswer(hostOf(req), 200, '{}', { 'x-crawlfleet-load': '0.000' })
    })
    const { post } = testEdge({ transport, runners: urls, probe: { candidates: 2 } })
    for (let i = 0; i < 30; i++) expect((await post('/html', DEFAULT_BODY)).status).toBe(200)
    expect(sent.filter((r) => !isProbe(r) && hostOf(r) === draining)).toEqual([])
  })
})
