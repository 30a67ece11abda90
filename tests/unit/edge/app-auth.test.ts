import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../edge/middleware/api-key-set.ts'
import { callerIdOf } from '../../../runner/contract/caller-id.ts'
import { HEADER } from '../../../runner/contract/http-names.ts'
import { fakeTransport, runnerAnswer, testEdge } from './support.ts'

const html = { url: 'http://93.184.215.14/' }

describe('edge API-key auth', () => {
  it('answers 401 API_KEY_MISSING without a bearer key and never reaches a runner', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { app } = testEdge({ transport })
    for (const authorization of [undefined, '', 'Basic dGVzdC1rZXk=', 'Bearer', 'Bearer   ']) {
      const res = await app.request('/html', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
        body: JSON.stringify(html),
      })
      expect(res.status, String(authorization)).toBe(401)
      expect(await res.json()).toMatchObject({ success: false, error: { code: 'API_KEY_MISSING' } })
    }
    expect(sent).toHaveLength(0)
  })

  it('answers 403 API_KEY_WRONG for a key that is not configured', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { post } = testEdge({ transport })
    const res = await post('/html', html, { authorization: 'Bearer test-kez' })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'API_KEY_WRONG' } })
    expect(sent).toHaveLength(0)
  })

  it('accepts a configured plain key and a key configured as its SHA-256 hex digest', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { post } = testEdge({ transport, apiKeys: ['plain-key', sha256Hex('hashed-key').toUpperCase()] })
    expect((await post('/html', html, { authorization: 'Bearer plain-key' })).status).toBe(200)
    expect((await post('/html', html, { authorization: 'bearer hashed-key' })).status).toBe(200)
    expect((await post('/html', html, { authorization: `Bearer ${sha256Hex('hashed-key')}` })).status).toBe(403)
    expect(sent).toHaveLength(2)
    expect(sent.every((r) => !r.headers.has('authorization'))).toBe(true)
  })

  it('tells the runner who is asking by a stable id of the key that does not reveal it', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { post } = testEdge({ transport, apiKeys: ['key-one', 'key-two'] })
    await post('/html', html, { authorization: 'Bearer key-one' })
    await post('/html', html, { authorization: 'Bearer key-one' })
    await post('/html', html, { authorization: 'Bearer key-two' })
    const ids = sent.map((r) => r.headers.get(HEADER.caller))
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(ids).toEqual([callerIdOf('key-one'), callerIdOf('key-one'), callerIdOf('key-two')])
    expect(ids[0]).not.toBe(ids[2])
    expect(sha256Hex('key-one').startsWith(ids[0]!)).toBe(false)
  })

  it('keeps /health open, and forwards /openapi.json and /docs to a runner without a key', async () => {
    const { transport, sent } = fakeTransport((req) => runnerAnswer('r', 200, JSON.stringify({ path: req.url.pathname })))
    const { app } = testEdge({ transport })
    const health = await app.request('/health')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(sent).toHaveLength(0)
    expect(await (await app.request('/openapi.json')).json()).toEqual({ path: '/openapi.json' })
    expect(await (await app.request('/docs')).json()).toEqual({ path: '/docs' })
    expect(sent.map((r) => r.method)).toEqual(['GET', 'GET'])
  })

  it('is open when no key is configured (the local edge then listens on loopback only)', async () => {
    const { transport } = fakeTransport(() => runnerAnswer('r'))
    const { app } = testEdge({ transport, apiKeys: [] })
    const res = await app.request('/html', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(html) })
    expect(res.status).toBe(200)
  })

  it('refuses requests without the CloudFront origin secret when one is configured (403), except /health', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { post, app } = testEdge({ transport, overrides: { originSecret: async () => 'from-cloudfront' } })
    const direct = await post('/html', html)
    expect(direct.status).toBe(403)
    expect(await direct.json()).toMatchObject({ error: { code: 'NOT_VIA_ENTRY' } })
    expect((await post('/html', html, { 'x-crawlfleet-origin': 'from-cloudfronT' })).status).toBe(403)
    expect((await post('/html', html, { 'x-crawlfleet-origin': 'from-cloudfront' })).status).toBe(200)
    expect((await app.request('/openapi.json')).status).toBe(403)
    expect((await app.request('/health')).status).toBe(200)
    expect(sent).toHaveLength(1)
    expect(sent[0].headers.has('x-crawlfleet-origin')).toBe(false)
  })

  it('accepts any value of the origin list (a rotation in flight), and nothing else', async () => {
    const { transport } = fakeTransport(() => runnerAnswer('r'))
    const { post } = testEdge({ transport, overrides: { originSecret: async () => ['new-value', 'old-value'] } })
    expect((await post('/html', html, { 'x-crawlfleet-origin': 'new-value' })).status).toBe(200)
    expect((await post('/html', html, { 'x-crawlfleet-origin': 'old-value' })).status).toBe(200)
    expect((await post('/html', html, { 'x-crawlfleet-origin': 'new-value,old-value' })).status).toBe(403)
    expect((await post('/html', html)).status).toBe(403)
  })
})
