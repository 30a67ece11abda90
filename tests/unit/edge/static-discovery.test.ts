import { describe, expect, it } from 'vitest'
import { staticDiscovery } from '../../../edge/discovery/static.ts'

describe('staticDiscovery', () => {
  it('names each runner by host:port and keeps the base URL', async () => {
    const d = staticDiscovery(['http://127.0.0.1:11235/', 'https://runner.internal', 'http://[::1]:9000'])
    expect(await d.runners()).toEqual([
      { id: '127.0.0.1:11235', url: 'http://127.0.0.1:11235' },
      { id: 'runner.internal:443', url: 'https://runner.internal' },
      { id: '[::1]:9000', url: 'http://[::1]:9000' },
    ])
  })

  it('refuses a URL that is not http(s), not a URL, or listed twice', () => {
    expect(() => staticDiscovery(['ftp://127.0.0.1:1'])).toThrow(/http or https/)
    expect(() => staticDiscovery(['127.0.0.1:11235'])).toThrow(/http or https|not a runner URL/)
    expect(() => staticDiscovery(['http://a:1', 'http://a:1/'])).toThrow(/twice/)
  })
})
