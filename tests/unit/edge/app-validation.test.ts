import { describe, expect, it } from 'vitest'
import { PAGE_ROUTES } from '../../../runner/contract/page-routes.ts'
import { fakeTransport, runnerAnswer, testEdge } from './support.ts'

const ok = () => fakeTransport(() => runnerAnswer('r'))

describe('edge validation', () => {
  it.each([
    ['/html', {}, 'url'],
    ['/html', { url: 'http://93.184.215.14/', bogus: 1 }, 'bogus'],
    ['/html', { url: 'http://93.184.215.14/', page_timeout: -5 }, 'page_timeout'],
    ['/html', { url: 'http://93.184.215.14/', browser_config: { extra_args: ['--disable-web-security'] } }, 'browser_config.extra_args.0'],
    ['/html', { url: 'http://93.184.215.14/', browser_config: { user_data_dir: '/tmp/x' } }, 'browser_config.user_data_dir'],
    ['/screenshot', { url: 'http://93.184.215.14/', full_page: 'yes' }, 'full_page'],
    ['/execute_js', { url: 'http://93.184.215.14/' }, 'scripts'],
    ['/llm', { url: 'http://93.184.215.14/' }, 'q'],
    ['/crawl', { urls: [] }, 'urls'],
    ['/crawl/stream', { urls: ['http://93.184.215.14/'], crawler_config: { nope: true } }, 'crawler_config.nope'],
  ])('POST %s %j → 400 naming %s', async (path, body, field) => {
    const { transport, sent } = ok()
    const res = await testEdge({ transport }).post(path, body)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'INVALID_FIELD', field } })
    expect(sent).toHaveLength(0)
  })

  it('answers 400 naming the body for malformed JSON or bytes that are not UTF-8', async () => {
    const { transport } = ok()
    const { app, post } = testEdge({ transport })
    expect(await (await post('/html', '{"url":')).json()).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'body' } })
    const res = await app.request('/html', {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    })
    expect(res.status).toBe(400)
  })

  it('answers 415 for a body that is not declared JSON', async () => {
    const { transport } = ok()
    const { post } = testEdge({ transport })
    for (const type of ['text/plain', 'application/jsonp', 'application/x-www-form-urlencoded']) {
      const res = await post('/html', { url: 'http://93.184.215.14/' }, { 'content-type': type })
      expect(res.status, type).toBe(415)
      expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } })
    }
    expect((await post('/html', { url: 'http://93.184.215.14/' }, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200)
  })

  it('answers 413 for a body over the limit, declared or streamed without a length', async () => {
    const { transport, sent } = ok()
    const { app, post } = testEdge({ transport, maxBodyBytes: 1024 })
    const big = { url: 'http://93.184.215.14/', headers: { x: 'a'.repeat(2000) } }
    const declared = await post('/html', big)
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } })
    const bytes = new TextEncoder().encode(JSON.stringify(big))
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.slice(i, i + 100))
        c.close()
      },
    })
    const streamed = await app.request('/html', {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: stream,
      // @ts-expect-error: undici needs this for a stream body; lib.dom does not know it
      duplex: 'half',
    })
    expect(streamed.status).toBe(413)
    expect(sent).toHaveLength(0)
  })

  it('forwards exactly PAGE_ROUTES with POST, and nothing else', async () => {
    const { transport, sent } = ok()
    const { app, post } = testEdge({ transport })
    const valid: Record<string, object> = {
      '/html': { url: 'http://93.184.215.14/' },
      '/screenshot': { url: 'http://93.184.215.14/' },
      '/pdf': { url: 'http://93.184.215.14/' },
      '/execute_js': { url: 'http://93.184.215.14/', scripts: ['1+1'] },
      '/md': { url: 'http://93.184.215.14/' },
      '/llm': { url: 'http://93.184.215.14/', q: 'what?' },
      '/crawl': { urls: ['http://93.184.215.14/'] },
      '/crawl/stream': { urls: ['http://93.184.215.14/'] },
    }
    for (const route of PAGE_ROUTES) expect((await post(route, valid[route])).status, route).toBe(200)
    expect(sent.map((r) => r.url.pathname)).toEqual([...PAGE_ROUTES])
    for (const path of ['/pressure', '/metrics', '/ready', '/html/x']) {
      const res = await app.request(path, { headers: { authorization: 'Bearer test-key' } })
      expect(res.status, path).toBe(404)
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
    }
    expect((await app.request('/html', { headers: { authorization: 'Bearer test-key' } })).status).toBe(404)
    expect(sent).toHaveLength(PAGE_ROUTES.length)
  })

  it('forwards the body byte for byte, as the client wrote it', async () => {
    const { transport, sent } = ok()
    const raw = '{ "wait_until" : "load",\n  "url":"http://93.184.215.14/\\u0041"  ,"viewport":{"height":700,"width":1000} }'
    const res = await testEdge({ transport }).post('/html', raw)
    expect(res.status).toBe(200)
    expect(new TextDecoder().decode(sent[0].body)).toBe(raw)
    expect(sent[0].headers.get('content-type')).toBe('application/json')
  })

  it('forwards GET /llm/{url}?q= with the URL taken from the path', async () => {
    const { transport, sent } = ok()
    const { app } = testEdge({ transport, dns: { 'example.com': ['93.184.215.14'] } })
    const get = (path: string) => app.request(path, { headers: { authorization: 'Bearer test-key' } })
    expect((await get('/llm/example.com/page?q=what%20is%20it')).status).toBe(200)
    expect((await get('/llm/https%3A%2F%2Fexample.com%2F?q=x')).status).toBe(200)
    expect(sent.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      'GET /llm/example.com/page?q=what%20is%20it',
      'GET /llm/https%3A%2F%2Fexample.com%2F?q=x',
    ])
    const noQ = await get('/llm/example.com/')
    expect(noQ.status).toBe(400)
    expect(await noQ.json()).toMatchObject({ error: { field: 'q' } })
    const local = await get('/llm/http://127.0.0.1/?q=x')
    expect(local.status).toBe(403)
    expect(await local.json()).toMatchObject({ error: { code: 'URL_REFUSED', rule: 'loopback', field: 'url' } })
    expect((await app.request('/llm/example.com/?q=x')).status).toBe(401)
    expect(sent).toHaveLength(2)
  })

  it('sets the request id and secure headers on answers and errors alike', async () => {
    const { transport, sent } = ok()
    const { post, app } = testEdge({ transport })
    const res = await post('/html', { url: 'http://93.184.215.14/' }, { 'x-request-id': 'client-id-1' })
    expect(res.headers.get('x-request-id')).toBe('client-id-1')
    expect(sent[0].headers.get('x-request-id')).toBe('client-id-1')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const err = await app.request('/html', { method: 'POST' })
    expect(err.status).toBe(401)
    expect(err.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(err.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('answers an unexpected failure with a logged 500 INTERNAL carrying the request id', async () => {
    const { transport } = ok()
    const { post, errors, metrics } = testEdge({
      transport,
      overrides: {
        forward: async () => {
          throw new Error('kaboom')
        },
      },
    })
    const res = await post('/html', { url: 'http://93.184.215.14/' }, { 'x-request-id': 'req-500' })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ success: false, error: { code: 'INTERNAL', message: 'internal error (request req-500)' } })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ requestId: 'req-500', path: '/html' })
    expect(metrics).toEqual(['EdgeErrors'])
  })
})
