import { describe, expect, it } from 'vitest'
import { browserEnvironment } from '../../../runner/browser/browser-env.ts'
import { LOCKED_FLAG_PREFIXES } from '../../../runner/browser/chromium-flags.ts'
import { browserRequestOf } from '../../../runner/contract/browser-request.ts'
import { ALREADY_APPLIED_ARGS, BrowserConfig, isAllowedExtraArg } from '../../../runner/contract/browser-config.ts'
import { DEFAULT_SIGNATURE, launchOptionsFrom } from '../../../runner/contract/signature.ts'
import { parseOrThrow } from '../../../runner/contract/validate.ts'

const launchOf = (config: unknown) => browserRequestOf({ browser_config: parseOrThrow(BrowserConfig, config, 'browser_config') }).launch
const sig = (config: unknown) => browserRequestOf({ browser_config: parseOrThrow(BrowserConfig, config, 'browser_config') }).signature
const errorOf = (config: unknown) => {
  try {
    parseOrThrow(BrowserConfig, config, 'browser_config')
    return undefined
  } catch (err) {
    return err as { field: string; message: string }
  }
}

describe("a caller's proxy in browser_config", () => {
  const BYPASS = ['localhost', '127.0.0.1', '*,localhost', '<-loopback>', '<loopback>', '::1', '[::1]', '*', '.local', '10.0.0.0/8', ' localhost ']

  it.each(BYPASS)('refuses the bypass list %j in every form, naming its field', (bypass) => {
    const server = 'http://proxy.example:3128'
    expect(errorOf({ proxy: { server, bypass } })?.field).toBe('browser_config.proxy.bypass')
    expect(errorOf({ proxy_config: { server, bypass } })?.field).toBe('browser_config.proxy_config.bypass')
    expect(errorOf({ proxy_config: { type: 'ProxyConfig', params: { server, bypass } } })?.field).toBe('browser_config.proxy_config.bypass')
    expect(errorOf({ type: 'BrowserConfig', params: { proxy: { server, bypass } } })?.field).toBe('browser_config.proxy.bypass')
    expect(errorOf({ proxy: { server, bypass } })?.message).toMatch(/bypass lists are refused/)
  })

  it('takes an empty or null bypass as no bypass', () => {
    expect(errorOf({ proxy: { server: 'proxy.example:3128', bypass: '' } })).toBeUndefined()
    expect(errorOf({ proxy_config: { server: 'proxy.example:3128', bypass: null } })).toBeUndefined()
  })

  it("reads every spelling of crawl4ai and Playwright into the same upstream, credentials included", () => {
    const expected = { server: 'http://proxy.example:3128', username: 'u', password: 'p@ss' }
    const spellings = [
      { proxy: 'http://u:p%40ss@PROXY.example:3128/' },
      { proxy: { server: 'http://proxy.example:3128', username: 'u', password: 'p@ss' } },
      { proxy_config: 'proxy.example:3128:u:p@ss' },
      { proxy_config: { server: 'proxy.example:3128', username: 'u', password: 'p@ss', ip: '203.0.113.1' } },
      { proxy_config: { type: 'ProxyConfig', params: { server: 'http://proxy.example:3128', username: 'u', password: 'p@ss', ip: null } } },
      { type: 'BrowserConfig', params: { proxy_config: { type: 'ProxyConfig', params: { server: 'proxy.example:3128', username: 'u', password: 'p@ss' } } } },
    ]
    for (const config of spellings) expect(launchOf(config).proxy, JSON.stringify(config)).toEqual(expected)
    expect(new Set(spellings.map(sig)).size).toBe(1)
    // crawl4ai: proxy_config wins over proxy
    expect(launchOf({ proxy: 'other.example:1', proxy_config: 'proxy.example:3128:u:p@ss' }).proxy).toEqual(expected)
  })

  it('gives each upstream (server or credentials) a browser of its own, and none to no proxy', () => {
    const a = sig({ proxy: { server: 'proxy.example:3128', username: 'u', password: 'a' } })
    expect(a).not.toBe(sig({ proxy: { server: 'proxy.example:3128', username: 'u', password: 'b' } }))
    expect(a).not.toBe(sig({ proxy: 'proxy.example:3128' }))
    expect(sig({ proxy: 'proxy.example:3128' })).not.toBe(DEFAULT_SIGNATURE)
    expect(sig({ proxy_config: null })).toBe(DEFAULT_SIGNATURE)
  })

  it.each([
    [{ proxy: 'socks5://proxy.example:1080' }, 'browser_config.proxy', /only http:\/\/ proxies/],
    [{ proxy_config: { server: 'https://proxy.example:443' } }, 'browser_config.proxy_config.server', /only http:\/\/ proxies/],
    [{ proxy: { server: 'http://u:p@proxy.example:3128' } }, 'browser_config.proxy.server', /username and password/],
    [{ proxy: 'http://proxy.example:3128/path' }, 'browser_config.proxy', /without a path/],
    [{ proxy: 'not a proxy' }, 'browser_config.proxy', /./],
    [{ proxy_config: { type: 'Proxy', params: {} } }, 'browser_config.proxy_config.type', /ProxyConfig/],
    [{ proxy: { server: 'proxy.example:1', pac: 'x' } }, 'browser_config.proxy.pac', /not a known field/],
  ])('refuses %j, naming %s', (config, field, message) => {
    const err = errorOf(config)
    expect(err?.field).toBe(field)
    expect(err?.message).toMatch(message)
  })
})

describe('what a caller cannot change through extra_args', () => {
  it.each(LOCKED_FLAG_PREFIXES)('refuses %s in any form, but for a bare flag crawl4ai always sends, which is dropped', (prefix) => {
    for (const arg of [prefix, `${prefix}=x`, `${prefix}-list=*`, `${prefix}=MAP * 127.0.0.1`]) {
      // crawl4ai's clients send --no-sandbox with every browser: accepted and dropped, so the service alone decides the sandbox
      if (ALREADY_APPLIED_ARGS.has(arg)) expect(launchOptionsFrom({ extra_args: [arg] }).args, arg).not.toContain(arg)
      else expect(isAllowedExtraArg(arg), arg).toBe(false)
    }
    expect(errorOf({ extra_args: ['--hide-scrollbars', `${prefix}=x`] })?.field).toBe('browser_config.extra_args.1')
  })
})

describe('the environment of browser processes', () => {
  it("keeps what Chromium needs and drops the runner's secrets", () => {
    const env = browserEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/pwuser',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      CRAWLFLEET_TEST_TAG: 't',
      CRAWLFLEET_HMAC_SECRET: 'secret',
      CRAWLFLEET_LLM_API_KEY: 'key',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x',
      AWS_SECRET_ACCESS_KEY: 'x',
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
      NODE_OPTIONS: '--require x',
      UNSET: undefined,
    })
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/pwuser', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', CRAWLFLEET_TEST_TAG: 't' })
  })
})
