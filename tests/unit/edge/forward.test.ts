import { describe, expect, it } from 'vitest'
import { RunnerBackoff } from '../../../edge/routing/runner-backoff.ts'
import { rankRunners } from '../../../edge/routing/rendezvous.ts'
import { verifyRequest } from '../../../runner/contract/request-hmac.ts'
import { signatureOf, launchOptionsFrom } from '../../../runner/contract/signature.ts'
import { connectionRefused, fakeClock, fakeTransport, hostOf, runnerAnswer, runnerUrls, testEdge, WALL_START_MS } from './support.ts'

const TEXT_MODE = { url: 'http://93.184.215.14/', browser_config: { text_mode: true } }
const textSig = signatureOf(launchOptionsFrom({ text_mode: true }))
const urls = runnerUrls(5)
const idOf = (url: string) => new URL(url).host
const orderFor = (sig: string) => rankRunners(sig, urls.map(idOf))

describe('routing by signature', () => {
  it('sends one launch signature to the same runner every time', async () => {
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post } = testEdge({ transport, runners: urls })
    for (let i = 0; i < 10; i++) expect((await post('/html', TEXT_MODE)).status).toBe(200)
    expect(new Set(sent.map(hostOf))).toEqual(new Set([orderFor(textSig)[0]]))
  })

  it('spreads different launch signatures over the runners', async () => {
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post } = testEdge({ transport, runners: urls })
    const variants = [{ text_mode: true }, { light_mode: true }, { extra_args: ['--hide-scrollbars'] }, { extra_args: ['--mute-audio'] }, { extra_args: ['--disable-breakpad'] }, { extra_args: ['--lang=de'] }, { extra_args: ['--lang=fr'] }, { extra_args: ['--lang=es'] }]
    for (const browser_config of variants) await post('/html', { url: 'http://93.184.215.14/', browser_config })
    const expected = variants.map((v) => orderFor(signatureOf(launchOptionsFrom(v)))[0])
    expect(sent.map(hostOf)).toEqual(expected)
    expect(new Set(expected).size).toBeGreaterThan(1)
  })

  it('passes X-Runner-Id through and keeps the runner’s load report to itself', async () => {
    const { transport } = fakeTransport(() => runnerAnswer('runner-a'))
    const res = await testEdge({ transport, runners: urls }).post('/html', TEXT_MODE)
    expect(res.headers.get('x-runner-id')).toBe('runner-a')
    expect(res.headers.has('x-crawlfleet-load')).toBe(false)
  })
})

describe('retries', () => {
  it.each([
    ['503', () => runnerAnswer('x', 503, JSON.stringify({ success: false, error: { code: 'MEMORY_PRESSURE' } }), { 'retry-after': '5' })],
    ['429', () => runnerAnswer('x', 429, JSON.stringify({ success: false, error: { code: 'QUEUE_FULL' } }), { 'retry-after': '2' })],
    ['a refused connection', connectionRefused],
  ])('moves to the next runner in order after %s', async (_what, refuse) => {
    const order = orderFor(textSig)
    const { transport, sent } = fakeTransport((req) => (hostOf(req) === order[0] ? refuse() : runnerAnswer(hostOf(req))))
    const res = await testEdge({ transport, runners: urls }).post('/html', TEXT_MODE)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe(order[1])
    expect(sent.map(hostOf)).toEqual([order[0], order[1]])
    expect(new TextDecoder().decode(sent[1].body)).toBe(JSON.stringify(TEXT_MODE))
  })

  it('does not retry an answer that is the target’s or the page’s fault (502, 504, 400)', async () => {
    for (const status of [400, 500, 502, 504]) {
      const { transport, sent } = fakeTransport(() => runnerAnswer('x', status, JSON.stringify({ success: false })))
      const res = await testEdge({ transport, runners: urls }).post('/html', TEXT_MODE)
      expect(res.status).toBe(status)
      expect(sent).toHaveLength(1)
    }
  })

  it('skips a runner that refused for a short, growing time, and trusts it again after a success', async () => {
    const order = orderFor(textSig)
    let firstRefuses = true
    const { transport, sent } = fakeTransport((req) => (hostOf(req) === order[0] && firstRefuses ? runnerAnswer('x', 503) : runnerAnswer(hostOf(req))))
    const clock = fakeClock()
    const { post } = testEdge({ transport, runners: urls, clock, backoff: new RunnerBackoff({ baseMs: 1_000, maxMs: 8_000 }) })
    await post('/html', TEXT_MODE)
    expect(sent.map(hostOf)).toEqual([order[0], order[1]])
    await post('/html', TEXT_MODE) // within the backoff: straight to the second
    expect(sent.map(hostOf).slice(2)).toEqual([order[1]])
    clock.advance(1_000)
    await post('/html', TEXT_MODE) // tried again, refuses again: now skipped for 2 s
    expect(sent.map(hostOf).slice(3)).toEqual([order[0], order[1]])
    clock.advance(1_999)
    await post('/html', TEXT_MODE)
    expect(sent.map(hostOf).slice(5)).toEqual([order[1]])
    clock.advance(1)
    firstRefuses = false
    await post('/html', TEXT_MODE)
    expect(sent.map(hostOf).slice(6)).toEqual([order[0]])
  })

  it('answers 503 NO_RUNNER with Retry-After when every runner refused or was unreachable', async () => {
    const { transport, sent } = fakeTransport((req) => (hostOf(req).endsWith('.1:11235') ? connectionRefused() : runnerAnswer('x', 503, '{}', { 'retry-after': '3' })))
    const { post, metrics } = testEdge({ transport, runners: urls.slice(0, 3) })
    const res = await post('/html', TEXT_MODE)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'NO_RUNNER' } })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(sent).toHaveLength(3)
    expect(metrics).toContain('NoHealthyRunner')
  })

  it('passes the last 429 through when the runners are only busy', async () => {
    const { transport } = fakeTransport((req) => runnerAnswer(hostOf(req), 429, JSON.stringify({ success: false, error: { code: 'QUEUE_FULL', from: hostOf(req) } }), { 'retry-after': '2' }))
    const res = await testEdge({ transport, runners: urls.slice(0, 3) }).post('/html', TEXT_MODE)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('2')
    const body = (await res.json()) as { error: { from: string } }
    expect(body.error.from).toBe(orderFor(textSig).filter((id) => urls.slice(0, 3).map(idOf).includes(id))[2])
  })

  it('tries at most maxAttempts runners', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('x', 503))
    const res = await testEdge({ transport, runners: runnerUrls(10) }).post('/html', TEXT_MODE)
    expect(res.status).toBe(503)
    expect(sent).toHaveLength(4)
  })
})

describe('deadline and signing', () => {
  it('sends the remaining deadline, which shrinks as retries use it up', async () => {
    const clock = fakeClock()
    const order = orderFor(textSig)
    const { transport, sent } = fakeTransport((req) => {
      if (hostOf(req) !== order[0]) return runnerAnswer('ok')
      clock.advance(1_500) // the first runner took 1.5 s to refuse
      return runnerAnswer('x', 503)
    })
    await testEdge({ transport, runners: urls, clock, requestDeadlineMs: 10_000 }).post('/html', TEXT_MODE)
    expect(sent.map((r) => r.headers.get('x-crawlfleet-deadline-ms'))).toEqual(['10000', '8500'])
  })

  it('answers 504 when the deadline is gone before a runner answered', async () => {
    const clock = fakeClock()
    const { transport, sent } = fakeTransport(() => {
      clock.advance(6_000)
      return runnerAnswer('x', 503)
    })
    const res = await testEdge({ transport, runners: urls, clock, requestDeadlineMs: 10_000 }).post('/html', TEXT_MODE)
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ error: { code: 'PAGE_TIMEOUT' } })
    expect(sent).toHaveLength(2)
  })

  it('signs every runner request with the HMAC secret so the runner can verify it', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('x'))
    const { post } = testEdge({ transport, runners: urls, hmacSecret: 's3cret' })
    await post('/html?debug=1', TEXT_MODE)
    const req = sent[0]
    expect(req.headers.get('x-crawlfleet-timestamp')).toBe(String(WALL_START_MS + 10_000))
    const verify = (secret: string, body: Uint8Array | string, path = req.url.pathname + req.url.search) =>
      verifyRequest(
        secret,
        { method: req.method, pathWithQuery: path, body, signature: req.headers.get('x-crawlfleet-hmac') ?? undefined, timestamp: req.headers.get('x-crawlfleet-timestamp') ?? undefined },
        WALL_START_MS + 10_000,
      )
    expect(() => verify('s3cret', req.body, '/html?debug=1')).not.toThrow()
    expect(() => verify('other', req.body)).toThrow(/does not match/)
    expect(() => verify('s3cret', '{}')).toThrow(/does not match/)
    expect(() => verify('s3cret', req.body, '/pdf?debug=1')).toThrow(/does not match/)
  })

  it('sends no signature when no secret is set', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('x'))
    await testEdge({ transport, runners: urls }).post('/html', TEXT_MODE)
    expect(sent[0].headers.has('x-crawlfleet-hmac')).toBe(false)
  })
})
