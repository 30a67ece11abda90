import { describe, expect, it } from 'vitest'
import { fakeTransport, runnerAnswer, testEdge } from './support.ts'

const CORPUS: [string, string][] = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://127.0.0.1./', 'loopback'],
  ['http://[::1]/', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ['http://example.com@127.0.0.1/', 'loopback'],
  ['http://%31%32%37.0.0.1/', 'loopback'],
  ['http://localhost:8080/', 'loopback'],
  ['http://metadata.test/', 'link-local'],
  ['http://169.254.169.254/latest/meta-data/iam/', 'link-local'],
  ['http://169.254.170.2/v2/credentials/x', 'link-local'],
  ['http://10.0.0.1/', 'private-address'],
  ['http://[fd00::1]/', 'unique-local'],
  ['http://224.0.0.251/', 'multicast'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://nowhere.test/', 'unresolvable'],
  ['file:///etc/passwd', 'scheme'],
  ['chrome://version', 'scheme'],
  ['view-source:http://93.184.215.14/', 'scheme'],
  ['data:text/html,hi', 'scheme'],
  ['javascript:alert(1)', 'scheme'],
  ['ftp://93.184.215.14/', 'scheme'],
]

describe('edge URL policy', () => {
  it.each(CORPUS)('refuses %s with 403 URL_REFUSED (%s) before any runner is asked', async (url, rule) => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const res = await testEdge({ transport, dns: { 'metadata.test': ['169.254.169.254'] } }).post('/html', { url })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'URL_REFUSED', rule, field: 'url' } })
    expect(sent).toHaveLength(0)
  })

  it('names the index of the refused URL in a crawl, the first one in body order', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const res = await testEdge({ transport }).post('/crawl', {
      urls: ['http://93.184.215.14/', 'https://93.184.215.14/a', 'http://[::1]/', 'file:///etc/passwd'],
    })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'URL_REFUSED', rule: 'loopback', field: 'urls.2' } })
    expect(sent).toHaveLength(0)
  })

  it('lets a private target through when its CIDR is allowed', async () => {
    const { transport, sent } = fakeTransport(() => runnerAnswer('r'))
    const { post } = testEdge({ transport, allowCidrs: ['127.0.0.0/8'] })
    expect((await post('/html', { url: 'http://127.0.0.1:5000/' })).status).toBe(200)
    expect((await post('/html', { url: 'http://10.0.0.1/' })).status).toBe(403)
    expect(sent).toHaveLength(1)
  })
})
