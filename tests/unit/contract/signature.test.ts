import { describe, expect, it } from 'vitest'
import { browserRequestOf } from '../../../runner/contract/browser-request.ts'
import { BrowserConfig } from '../../../runner/contract/browser-config.ts'
import { DEFAULT_SIGNATURE, canonicalJson, launchOptionsFrom, signatureOf } from '../../../runner/contract/signature.ts'
import { parseOrThrow } from '../../../runner/contract/validate.ts'

const sig = (config: unknown) => browserRequestOf({ browser_config: parseOrThrow(BrowserConfig, config, 'browser_config') }).signature

describe('browser signature', () => {
  it('is the default signature when no launch option is set', () => {
    expect(browserRequestOf({}).signature).toBe(DEFAULT_SIGNATURE)
    expect(sig({})).toBe(DEFAULT_SIGNATURE)
    expect(sig({ type: 'BrowserConfig', params: { headless: true, browser_type: 'chromium' } })).toBe(DEFAULT_SIGNATURE)
  })

  it('ignores context options: viewport, user agent, locale, headers, JavaScript, HTTPS errors', () => {
    expect(
      sig({ viewport_width: 400, viewport_height: 300, user_agent: 'x', locale: 'de-DE', headers: { a: 'b' }, java_script_enabled: false, ignore_https_errors: true }),
    ).toBe(DEFAULT_SIGNATURE)
    expect(browserRequestOf({ viewport: { width: 300, height: 200 }, user_agent: 'y' }).signature).toBe(DEFAULT_SIGNATURE)
  })

  it('changes with launch options and folds equivalent spellings', () => {
    const text = sig({ text_mode: true })
    expect(text).not.toBe(DEFAULT_SIGNATURE)
    expect(sig({ extra_args: ['--disable-remote-fonts', '--blink-settings=imagesEnabled=false'] })).toBe(text)
    expect(sig({ text_mode: true, extra_args: ['--disable-remote-fonts'] })).toBe(text)
    expect(sig({ type: 'BrowserConfig', params: { text_mode: true } })).toBe(text)
    expect(sig({ light_mode: true })).not.toBe(text)
    expect(sig({ proxy: 'proxy.example:3128' })).toBe(sig({ proxy_config: { server: 'http://PROXY.example:3128/' } }))
    expect(sig({ proxy: 'proxy.example:3128' })).not.toBe(sig({ proxy: 'proxy.example:3129' }))
  })

  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[1,{"y":2,"z":1}]},"b":1}')
    expect(signatureOf({ ...launchOptionsFrom({ text_mode: true }) })).toBe(signatureOf(launchOptionsFrom({ text_mode: true })))
  })

  it('lets top-level page options win over browser_config context options', () => {
    const req = browserRequestOf({ browser_config: { viewport_width: 640, viewport_height: 480, user_agent: 'a' }, viewport: { width: 800, height: 600 } })
    expect(req.context).toMatchObject({ viewport: { width: 800, height: 600 }, userAgent: 'a' })
  })
})

describe('browser_config validation names the field', () => {
  const fieldOf = (config: unknown) => {
    try {
      parseOrThrow(BrowserConfig, config, 'browser_config')
      return 'valid'
    } catch (err) {
      return (err as { field: string }).field
    }
  }
  it.each([
    [{ user_data_dir: '/tmp/p' }, 'browser_config.user_data_dir'],
    [{ cdp_url: 'ws://x' }, 'browser_config.cdp_url'],
    [{ use_managed_browser: true }, 'browser_config.use_managed_browser'],
    [{ extra_args: ['--remote-debugging-port=9222'] }, 'browser_config.extra_args.0'],
    [{ extra_args: ['--hide-scrollbars', '--disable-web-security'] }, 'browser_config.extra_args.1'],
    [{ headless: false }, 'browser_config.headless'],
    [{ browser_type: 'firefox' }, 'browser_config.browser_type'],
    [{ made_up: 1 }, 'browser_config.made_up'],
    [{ type: 'CrawlerRunConfig', params: {} }, 'browser_config.type'],
    [{ type: 'BrowserConfig', params: { user_data_dir: 'x' } }, 'browser_config.user_data_dir'],
  ])('%j → %s', (config, field) => {
    expect(fieldOf(config)).toBe(field)
  })

  it('accepts allowed flags and crawl4ai options', () => {
    expect(fieldOf({ extra_args: ['--lang=de-DE', '--force-color-profile=srgb'], text_mode: true, light_mode: false, verbose: true })).toBe('valid')
  })
})
