import { describe, expect, it } from 'vitest'
import { BrowserConfig } from '../../../runner/contract/browser-config.ts'
import { browserRequestOf } from '../../../runner/contract/browser-request.ts'
import { CrawlRequest } from '../../../runner/contract/request-schemas.ts'
import { DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { parseOrThrow } from '../../../runner/contract/validate.ts'

// Bodies as crawl4ai's Python client serialises them (to_serializable_dict): typed objects, enums,
// dict wrappers at any depth, null for None.

const fieldOf = (body: unknown) => {
  try {
    parseOrThrow(CrawlRequest, body)
    return 'valid'
  } catch (err) {
    return `${(err as { field: string }).field}: ${(err as Error).message}`
  }
}
const parse = (body: unknown) => parseOrThrow(CrawlRequest, body)
const urls = ['https://example.com/']

describe("crawl4ai's serialization", () => {
  it('reads typed objects at any depth, enums and dict wrappers', () => {
    const body = parse({
      urls,
      browser_config: { type: 'BrowserConfig', params: { headers: { type: 'dict', value: { 'sec-ch-ua': '"Chromium";v="116"' } }, viewport: { type: 'dict', value: { width: 1200, height: 800 } } } },
      crawler_config: {
        type: 'CrawlerRunConfig',
        params: {
          cache_mode: { type: 'CacheMode', params: 'bypass' },
          css_selector: 'article',
          extraction_strategy: {
            type: 'JsonCssExtractionStrategy',
            params: {
              schema: {
                type: 'dict',
                value: { baseSelector: 'div.item', fields: [{ type: 'dict', value: { name: 'title', selector: 'h2', type: 'text' } }] },
              },
            },
          },
          markdown_generator: { type: 'DefaultMarkdownGenerator', params: { content_filter: { type: 'PruningContentFilter', params: { threshold: 0.5 } } } },
        },
      },
    })
    expect(body.browser_config?.headers).toEqual({ 'sec-ch-ua': '"Chromium";v="116"' })
    expect(body.browser_config?.viewport).toEqual({ width: 1200, height: 800 })
    expect(body.crawler_config?.cache_mode).toBe('bypass')
    expect(body.crawler_config?.css_selector).toBe('article')
    expect(body.crawler_config?.extraction_strategy).toEqual({
      type: 'JsonCssExtractionStrategy',
      params: { schema: { baseSelector: 'div.item', fields: [{ name: 'title', selector: 'h2', type: 'text' }] } },
    })
    expect(body.crawler_config?.markdown_generator?.content_filter).toEqual({ type: 'PruningContentFilter', params: { threshold: 0.5 } })
  })

  it('takes null as unset for every optional field', () => {
    const body = parse({ urls, browser_config: { proxy: null, proxy_config: null }, crawler_config: { css_selector: null, wait_for: null }, hooks: null })
    expect(body.browser_config).toEqual({})
    expect(body.crawler_config).toEqual({})
    expect(browserRequestOf(body).signature).toBe(DEFAULT_SIGNATURE)
    expect(parse({ urls, browser_config: null, crawler_config: null })).toEqual({ urls })
  })

  it('names an unknown or refused field by its path without the wrappers', () => {
    expect(fieldOf({ urls, crawler_config: { type: 'CrawlerRunConfig', params: { foo: 1 } } })).toMatch(/^crawler_config\.foo: /)
    expect(fieldOf({ urls, crawler_config: { foo: 1 } })).toMatch(/^crawler_config\.foo: .*not a known field/)
    expect(fieldOf({ urls, crawler_config: { markdown_generator: { type: 'DefaultMarkdownGenerator', params: { content_filter: { type: 'PruningContentFilter', params: { threshhold: 1 } } } } } })).toMatch(
      /^crawler_config\.markdown_generator\.content_filter\.threshhold: /,
    )
    expect(fieldOf({ urls, crawler_config: { session_id: 'abc' } })).toMatch(/^crawler_config\.session_id: .*no sessions/)
    expect(fieldOf({ urls, crawler_config: { js_only: true } })).toMatch(/^crawler_config\.js_only: .*fresh context/)
    expect(fieldOf({ urls, crawler_config: { magic: true } })).toMatch(/^crawler_config\.magic: .*disguise/)
    expect(fieldOf({ urls, crawler_config: { extraction_strategy: { type: 'CosineStrategy', params: {} } } })).toMatch(/^crawler_config\.extraction_strategy\.type: .*not served/)
    expect(fieldOf({ urls, crawler_config: { cache_mode: { type: 'CacheMode', params: 'sometimes' } } })).toMatch(/^crawler_config\.cache_mode: /)
    expect(fieldOf({ urls, hooks: { code: {} } })).toMatch(/^hooks: .*not served/)
    expect(fieldOf({ urls, crawler_config: { extraction_strategy: { type: 'LLMExtractionStrategy', params: { llm_config: { type: 'LLMConfig', params: { api_token: 'env:SECRET' } } } } } })).toMatch(
      /^crawler_config\.extraction_strategy\.llm_config\.api_token: .*deployment/,
    )
  })

  it('accepts crawl4ai defaults of options it cannot change and the test_5 flags it already applies', () => {
    expect(fieldOf({ urls, crawler_config: { js_only: false, magic: false, method: 'GET', user_agent_mode: '' } })).toBe('valid')
    expect(fieldOf({ urls, browser_config: { browser_mode: 'dedicated', chrome_channel: 'chromium', use_managed_browser: false } })).toBe('valid')
    expect(fieldOf({ urls, browser_config: { browser_mode: 'builtin' } })).toMatch(/^browser_config\.browser_mode: /)
  })
})

describe('Chromium flags crawlfleet already applies', () => {
  const sig = (config: unknown) => browserRequestOf({ browser_config: parseOrThrow(BrowserConfig, config, 'browser_config') })
  it('are accepted and do not change the signature', () => {
    expect(sig({ extra_args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--headless=new'] }).signature).toBe(DEFAULT_SIGNATURE)
    expect(sig({ text_mode: true, extra_args: ['--no-sandbox'] }).signature).toBe(sig({ text_mode: true }).signature)
  })
  it('fold certificate flags into the per-request ignore_https_errors', () => {
    const req = sig({ extra_args: ['--ignore-certificate-errors', '--allow-insecure-localhost'] })
    expect(req.signature).toBe(DEFAULT_SIGNATURE)
    expect(req.context.ignoreHTTPSErrors).toBe(true)
  })
  it('refuse --disable-web-security with the reason', () => {
    expect(() => parseOrThrow(BrowserConfig, { extra_args: ['--no-sandbox', '--disable-web-security'] }, 'browser_config')).toThrow(/extra_args\.1: .*same-origin policy/)
  })
})

describe("keys that Object's prototype has", () => {
  it('are unknown fields, never Object methods (valueOf, constructor, toString)', () => {
    expect(fieldOf({ urls, browser_config: { valueOf: 1 } })).toMatch(/^browser_config\.valueOf: .*not a known field/)
    expect(fieldOf({ urls, crawler_config: { constructor: true } })).toMatch(/^crawler_config\.constructor: /)
    expect(fieldOf({ urls, crawler_config: { extraction_strategy: { type: 'toString', params: {} } } })).toMatch(/^crawler_config\.extraction_strategy\.type: .*not served/)
    expect(fieldOf({ urls, browser_config: { extra_args: ['constructor'] } })).toMatch(/^browser_config\.extra_args\.0: .*not allowed/)
  })
})
