import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { UrlRefusedError } from '../../../runner/contract/errors.ts'
import type { WebhookDelivery } from '../../../runner/contract/job-schemas.ts'
import { verifyWebhook } from '../../../runner/contract/webhook-signature.ts'
import { pinnedPost, type SendWebhook } from '../../../runner/jobs/pinned-post.ts'
import { deliverWebhook, type WebhookSettings } from '../../../runner/jobs/webhook-delivery.ts'
import { listenOnLoopback } from '../../../runner/util/listen-loopback.ts'

const KEY = Buffer.alloc(32, 7)
const settings: WebhookSettings = { key: KEY, attempts: 4, retryMs: 1000, timeoutMs: 5000 }

/** A fake clock whose sleep only advances it, and a send that answers from a script. */
function harness(answers: (number | Error)[]) {
  let now = 1_800_000_000_000
  const sleeps: number[] = []
  const sent: { headers: Record<string, string>; body: string }[] = []
  const send: SendWebhook = async (_url, headers, body) => {
    sent.push({ headers: { ...headers }, body })
    const a = answers.shift()!
    now += 10
    if (a instanceof Error) throw a
    return a
  }
  const delivery: WebhookDelivery = { url: 'https://hooks.example/in', state: 'waiting', attempts: [] }
  const run = (o: Partial<WebhookSettings> = {}) =>
    deliverWebhook({ delivery, id: 'crawl_x', body: '{"status":"completed"}', headers: { 'x-tenant': 'a' }, settings: { ...settings, ...o }, send, nowMs: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) })
  return { run, delivery, sleeps, sent, now: () => now }
}

describe('deliverWebhook', () => {
  it('retries a 5xx and a network error with doubling waits, signs each attempt afresh, and records every attempt', async () => {
    const h = harness([500, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 200])
    await h.run()
    expect(h.delivery.state).toBe('delivered')
    expect(h.delivery.attempts.map((a) => a.status ?? a.error)).toEqual([500, 'ECONNREFUSED: connect ECONNREFUSED', 200])
    expect(h.sleeps).toEqual([1000, 2000])
    for (const s of h.sent) {
      expect(s.headers['x-tenant']).toBe('a')
      expect(verifyWebhook(KEY, s.headers, s.body, Math.floor(h.now() / 1000))).toBe(true)
    }
    expect(new Set(h.sent.map((s) => s.headers['webhook-timestamp'])).size).toBe(3)
  })

  it('gives up after the last attempt, and at once on a 4xx or a URL the policy refuses', async () => {
    const all = harness([503, 503, 503, 503, 200])
    await all.run()
    expect(all.delivery).toMatchObject({ state: 'failed' })
    expect(all.delivery.attempts).toHaveLength(4)
    expect(all.sleeps).toEqual([1000, 2000, 4000])

    const gone = harness([410])
    await gone.run()
    expect(gone.delivery.state).toBe('failed')
    expect(gone.sent).toHaveLength(1)

    const refused = harness([new UrlRefusedError('private-address', '10.0.0.1 is refused', 'webhook_config.webhook_url')])
    await refused.run()
    expect(refused.delivery.attempts[0]!.error).toMatch(/^URL_REFUSED \(private-address\)/)
    expect(refused.sent).toHaveLength(1)
  })

  it('caps the wait between attempts at a minute', async () => {
    const h = harness([500, 500, 500])
    await h.run({ attempts: 3, retryMs: 40_000 })
    expect(h.sleeps).toEqual([40_000, 60_000])
  })
})

describe('pinnedPost', () => {
  it('connects to the address the policy returned, never resolving the name itself, and keeps the name in the Host header', async () => {
    const seen: { host?: string; body: string }[] = []
    const server = await listenOnLoopback(
      createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => (seen.push({ host: req.headers.host, body }), res.writeHead(204).end()))
      }),
    )
    try {
      const asked: string[] = []
      const post = pinnedPost(async (host) => (asked.push(host), '127.0.0.1'))
      // a name no resolver knows: the request can only arrive if the checked address was used
      expect(await post(`http://hooks.invalid:${server.port}/in`, {}, '{"a":1}', 5000)).toBe(204)
      expect(asked).toEqual(['hooks.invalid'])
      expect(seen).toEqual([{ host: `hooks.invalid:${server.port}`, body: '{"a":1}' }])
    } finally {
      await server.close()
    }
  })

  it('sends nothing when the policy refuses the host', async () => {
    const post = pinnedPost(async () => {
      throw new UrlRefusedError('loopback', 'refused')
    })
    await expect(post('http://127.0.0.1:9/in', {}, '{}', 1000)).rejects.toBeInstanceOf(UrlRefusedError)
    await expect(post('ftp://example.com/in', {}, '{}', 1000)).rejects.toMatchObject({ rule: 'scheme' })
  })
})
