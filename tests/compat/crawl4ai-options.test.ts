import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { reply, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'
import { dict, productSchema, productXpathSchema, pythonBrowserConfig, pythonCrawlerConfig, typed } from './bodies.ts'

// crawl4ai's CrawlerRunConfig options and extraction strategies, one test per option, with bodies
// as its Python client and docs produce them, on a real runner (real Chromium) against the fixture
// site; each test checks what the option does to the content, not only the status.

let site: FixtureSite
let runner: RunnerProcess
let llm: FakeOpenAi

beforeAll(async () => {
  site = await startFixtureSite()
  llm = await startFakeOpenAi()
  runner = await startRunnerProcess({ CRAWLFLEET_LLM_BASE_URL: llm.baseUrl, CRAWLFLEET_LLM_MODEL: 'fake-model', CRAWLFLEET_LLM_MAX_INPUT_TOKENS: '4000' })
})
afterAll(async () => {
  await runner?.stop()
  await llm?.close()
  await site?.close()
})

type Result = Record<string, any>

const post = (path: string, body: unknown) => fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** /crawl of one page with a config as the Python client sends it; the page's result */
async function crawl(path: string, params: Record<string, unknown> = {}, browserConfig: unknown = pythonBrowserConfig()): Promise<Result> {
  const res = await post('/crawl', { urls: [`${site.url}${path}`], browser_config: browserConfig, crawler_config: pythonCrawlerConfig(params) })
  const text = await res.text()
  expect(res.status, text.slice(0, 400)).toBe(200)
  const body = JSON.parse(text) as { success: boolean; results: Result[] }
  expect(body.results).toHaveLength(1)
  return body.results[0]!
}

async function refused(crawlerConfig: unknown): Promise<{ field: string; message: string }> {
  const res = await post('/crawl', { urls: [`${site.url}/compat/products.html`], crawler_config: crawlerConfig })
  expect(res.status).toBe(400)
  return ((await res.json()) as { error: { field: string; message: string } }).error
}

const PRODUCTS = '/compat/products.html'

describe('crawl4ai CrawlResult shape', () => {
  it('has its fields: markdown as MarkdownGenerationResult, cleaned_html, response_headers, redirected_url, tables, links with title and base_domain', async () => {
    const r = await crawl(`/redirect?to=${encodeURIComponent(PRODUCTS)}`)
    expect(r).toMatchObject({ success: true, status_code: 200, redirected_url: `${site.url}${PRODUCTS}`, extracted_content: null, js_execution_result: null, session_id: null })
    expect(r.response_headers['content-type']).toMatch(/text\/html/)
    expect(Object.keys(r.markdown).sort()).toEqual(['fit', 'fit_html', 'fit_markdown', 'markdown_with_citations', 'raw', 'raw_markdown', 'references_markdown'])
    expect(r.markdown.raw_markdown).toContain('# Spare parts for browser fleets')
    expect(r.markdown.raw).toBe(r.markdown.raw_markdown)
    expect(r.markdown.markdown_with_citations).toMatch(/details⟨\d+⟩/)
    expect(r.markdown.references_markdown).toMatch(/## References\n\n⟨1⟩ http/)
    expect(r.markdown.fit_markdown).toContain('Warm spare context')
    expect(r.cleaned_html).toContain('<h1>Spare parts for browser fleets</h1>')
    expect(r.cleaned_html).not.toContain('class=')
    expect(r.links.internal).toContainEqual({ href: `${site.url}/compat/items/permanent.html`, text: 'details', title: 'Permanent kit details', base_domain: '127.0.0.1' })
    expect(r.links.external).toContainEqual(expect.objectContaining({ href: 'https://twitter.com/fleetparts', base_domain: 'twitter.com' }))
    expect(r.media.images).toContainEqual(expect.objectContaining({ src: `${site.url}/compat/images/kit.png`, alt: 'The permanent browser kit', type: 'image', width: 400 }))
    expect(r.metadata).toMatchObject({ title: 'Fleet Parts Catalogue', description: 'Spare parts for browser fleets: pools, runners and edges.' })
    expect(r.tables).toEqual([expect.objectContaining({ headers: ['Part', 'Price', 'Stock'], caption: 'Price list' })])
    expect(r.tables[0].rows[2]).toEqual(['Egress proxy', '80.00', '7'])
  })
})

describe('CrawlerRunConfig content options', () => {
  it('css_selector keeps the chosen elements in cleaned_html and the Markdown', async () => {
    const r = await crawl(PRODUCTS, { css_selector: 'article.product' })
    expect(r.markdown.raw_markdown).toContain('Warm spare context')
    expect(r.markdown.raw_markdown).not.toContain('Footer imprint')
    expect(r.cleaned_html).not.toContain('Price list')
  })

  it('target_elements narrows the Markdown while links still come from the whole page', async () => {
    const r = await crawl(PRODUCTS, { target_elements: ['table#prices', '.contact'] })
    expect(r.markdown.raw_markdown).toContain('Egress proxy')
    expect(r.markdown.raw_markdown).toContain('parts@fleet.example')
    expect(r.markdown.raw_markdown).not.toContain('17 MB')
    expect(r.links.internal.map((l: Result) => l.href)).toContain(`${site.url}/about.html`)
  })

  it('excluded_tags and excluded_selector remove elements', async () => {
    const r = await crawl(PRODUCTS, { excluded_tags: ['header', 'form'], excluded_selector: '.sidebar, #cookie-banner' })
    for (const gone of ['Catalogue', 'Order parts now', 'Related:', 'We use cookies']) expect(r.markdown.raw_markdown).not.toContain(gone)
    expect(r.markdown.raw_markdown).toContain('Spare parts for browser fleets')
  })

  it('word_count_threshold drops text blocks with fewer words', async () => {
    const without = await crawl(PRODUCTS)
    const r = await crawl(PRODUCTS, { word_count_threshold: 4 })
    expect(without.markdown.raw_markdown).toContain('Short note.')
    expect(r.markdown.raw_markdown).not.toContain('Short note.')
    expect(r.markdown.raw_markdown).toContain('Every part below keeps a Chromium fleet warm')
  })

  it('only_text leaves text without links or images', async () => {
    const r = await crawl(PRODUCTS, { only_text: true })
    expect(r.cleaned_html).not.toMatch(/<a |<img /)
    expect(r.cleaned_html).toContain('Permanent browser kit')
  })

  it('remove_forms removes forms', async () => {
    const r = await crawl(PRODUCTS, { remove_forms: true })
    expect(r.cleaned_html).not.toContain('Order parts now')
  })

  it('remove_overlay_elements and remove_consent_popups remove the overlay and the cookie banner from the page', async () => {
    const before = await crawl(PRODUCTS)
    expect(before.html).toContain('Subscribe to the fleet newsletter')
    const r = await crawl(PRODUCTS, { remove_overlay_elements: true, remove_consent_popups: true })
    expect(r.html).not.toContain('Subscribe to the fleet newsletter')
    expect(r.html).not.toContain('We use cookies')
    expect(r.html).toContain('Warm spare context')
  })

  it('exclude_external_links, exclude_social_media_links and exclude_domains filter links', async () => {
    const none = await crawl(PRODUCTS, { exclude_external_links: true })
    expect(none.links.external).toEqual([])
    expect(none.markdown.raw_markdown).not.toContain('twitter.com')
    const social = await crawl(PRODUCTS, { exclude_social_media_links: true, exclude_domains: ['tracker.example'] })
    const hrefs = social.links.external.map((l: Result) => l.href)
    expect(hrefs).toContain('https://docs.partner.example/guide')
    for (const gone of ['https://twitter.com/fleetparts', 'https://www.facebook.com/fleetparts', 'https://ads.tracker.example/click']) expect(hrefs).not.toContain(gone)
  })

  it('exclude_external_images keeps the site’s own images only', async () => {
    const r = await crawl(PRODUCTS, { exclude_external_images: true })
    const srcs = r.media.images.map((i: Result) => i.src)
    expect(srcs).toContain(`${site.url}/compat/images/kit.png`)
    expect(srcs).not.toContain('https://cdn.elsewhere.example/banner.png')
  })

  it('process_iframes puts the frame’s content into the page', async () => {
    expect((await crawl(PRODUCTS)).html).not.toContain('Live stock widget')
    expect((await crawl(PRODUCTS, { process_iframes: true })).html).toContain('Live stock widget: 59 parts in stock')
  })

  it('table_score_threshold chooses which tables count as data', async () => {
    expect((await crawl(PRODUCTS, { table_score_threshold: 100, table_extraction: null })).tables).toEqual([])
    expect((await crawl(PRODUCTS, { table_score_threshold: -10, table_extraction: null })).tables).toHaveLength(2)
  })
})

describe('CrawlerRunConfig page options', () => {
  it('delay_before_return_html waits before the HTML is read', async () => {
    expect((await crawl('/compat/delayed.html', { delay_before_return_html: 0 })).html).not.toContain('Arrived after 700 ms')
    expect((await crawl('/compat/delayed.html', { delay_before_return_html: 1.2 })).html).toContain('Arrived after 700 ms')
  })

  it('scan_full_page with scroll_delay scrolls to the bottom, loading lazy content', async () => {
    expect((await crawl('/compat/lazy.html')).html).not.toContain('Loaded after scrolling')
    expect((await crawl('/compat/lazy.html', { scan_full_page: true, scroll_delay: 0.05 })).html).toContain('Loaded after scrolling to the bottom')
  })

  it('wait_for_images waits until every image has finished', async () => {
    const r = await crawl(`/img-to?target=${encodeURIComponent('/slow-image.png?ms=800')}`, { wait_for_images: true, js_code: 'return [...document.images].every((i) => i.complete)' })
    expect(r.js_execution_result).toEqual({ success: true, results: [true] })
  })

  it('screenshot with screenshot_wait_for gives a PNG of the page', async () => {
    const r = await crawl('/compat/delayed.html', { screenshot: true, screenshot_wait_for: 0.1 })
    expect(Buffer.from(r.screenshot, 'base64').subarray(1, 4).toString()).toBe('PNG')
  })

  it('js_code_before_wait, wait_for and js_code: click, wait for the result, read it', async () => {
    const r = await crawl('/compat/delayed.html', { js_code_before_wait: "document.querySelector('#more').click()", wait_for: 'css:#clicked', js_code: ['document.querySelector("#clicked").textContent', 'return 6 * 7'] })
    expect(r.html).toContain('More items after the click')
    expect(r.js_execution_result).toEqual({ success: true, results: ['More items after the click', 42] })
  })

  it('user_agent sets the browser’s user agent for the request', async () => {
    const r = await crawl('/echo-headers', { user_agent: 'crawl4ai-compat/1.0' })
    expect(r.html).toContain('"user-agent":"crawl4ai-compat/1.0"')
    expect(r.html).toContain('sec-ch-ua') // BrowserConfig's headers dict reached the site
  })

  it('check_robots_txt: a disallowed page is not fetched (403 as crawl4ai), an allowed one is', async () => {
    const denied = await crawl('/compat/private/secret.html', { check_robots_txt: true })
    expect(denied).toMatchObject({ success: false, status_code: 403, error_message: 'Access denied by robots.txt' })
    expect(site.requests).not.toContain('/compat/private/secret.html')
    expect((await crawl(PRODUCTS, { check_robots_txt: true })).success).toBe(true)
  })

  it('js_only, session_id, magic, simulate_user and override_navigator are refused with the reason', async () => {
    expect(await refused(typed('CrawlerRunConfig', { js_only: true, session_id: 's1' }))).toMatchObject({ field: expect.stringMatching(/^crawler_config\.(js_only|session_id)$/), message: expect.stringContaining('fresh context') })
    for (const option of ['magic', 'simulate_user', 'override_navigator']) {
      expect(await refused({ [option]: true })).toMatchObject({ field: `crawler_config.${option}`, message: expect.stringContaining('does not disguise') })
    }
  })
})

describe('deep_crawl_strategy at a runner', () => {
  it('is a 400 pointing at the edge, which runs deep crawls', async () => {
    expect(await refused({ deep_crawl_strategy: typed('BFSDeepCrawlStrategy', { max_depth: 1 }) })).toMatchObject({ field: 'crawler_config.deep_crawl_strategy', message: expect.stringContaining('edge') })
  })
})

describe('markdown_generator', () => {
  it('DefaultMarkdownGenerator options: ignore_links, ignore_images', async () => {
    const r = await crawl(PRODUCTS, { markdown_generator: typed('DefaultMarkdownGenerator', { options: dict({ ignore_links: true, ignore_images: true }) }) })
    expect(r.markdown.raw_markdown).toContain('details')
    expect(r.markdown.raw_markdown).not.toMatch(/\]\(|!\[/)
  })

  it('PruningContentFilter: fit_markdown keeps the content, drops the chrome', async () => {
    const r = await crawl(PRODUCTS, { markdown_generator: typed('DefaultMarkdownGenerator', { content_filter: typed('PruningContentFilter', { threshold: 0.48, threshold_type: 'fixed' }) }) })
    expect(r.markdown.fit_markdown).toContain('Every part below keeps a Chromium fleet warm')
    expect(r.markdown.fit_markdown).not.toContain('Footer imprint')
    expect(r.markdown.fit_html).toMatch(/^<div>/)
  })

  it('BM25ContentFilter: fit_markdown keeps the blocks about the query', async () => {
    const r = await crawl(PRODUCTS, { markdown_generator: typed('DefaultMarkdownGenerator', { content_filter: typed('BM25ContentFilter', { user_query: 'parts desk contact email', bm25_threshold: 0.5 }) }) })
    expect(r.markdown.fit_markdown).toContain('parts@fleet.example')
    expect(r.markdown.fit_markdown).not.toContain('Warm spare context')
  })

  it('LLMContentFilter asks the configured LLM, chunk by chunk', async () => {
    llm.script(reply.content('## Parts\n\n- Permanent browser kit: $120'))
    const before = llm.requests.length
    const r = await crawl(PRODUCTS, { markdown_generator: typed('DefaultMarkdownGenerator', { content_filter: typed('LLMContentFilter', { instruction: 'Only the parts and prices', llm_config: typed('LLMConfig', { provider: 'openai/gpt-4o-mini' }) }) }) })
    expect(r.markdown.fit_markdown).toBe('## Parts\n\n- Permanent browser kit: $120')
    const sent = llm.requests.slice(before)
    expect(sent).toHaveLength(1)
    expect(JSON.stringify(sent[0]!.body.messages)).toContain('Only the parts and prices')
    expect(JSON.stringify(sent[0]!.body.messages)).toContain('Warm spare context')
  })
})

describe('extraction strategies: extracted_content as crawl4ai returns it (a JSON string)', () => {
  it('JsonCssExtractionStrategy: baseFields, text, attribute, html, regex, nested, list, nested_list', async () => {
    const r = await crawl(PRODUCTS, { extraction_strategy: typed('JsonCssExtractionStrategy', { schema: productSchema }) })
    expect(typeof r.extracted_content).toBe('string')
    const items = JSON.parse(r.extracted_content)
    expect(items).toHaveLength(2)
    expect(items[0]).toEqual({
      sku: 'P-100',
      name: 'Permanent browserkit', // BeautifulSoup's get_text(strip=True), as crawl4ai reads text
      price: '120.00',
      link: '/compat/items/permanent.html',
      name_html: '<h2 class="name">Permanent browser <b>kit</b></h2>',
      first_spec: { key: 'Memory' },
      spec_values: [{ value: '90 MB' }, { value: '184 ms' }],
      specs: [
        { key: 'Memory', value: '90 mb' },
        { key: 'Launch', value: '184 ms' },
      ],
    })
    expect(items[1]).toMatchObject({ sku: 'P-200', name: 'Warm spare context', price: '45.50' })
  })

  it('JsonXPathExtractionStrategy (XPath 1.0 outside the browser)', async () => {
    const r = await crawl(PRODUCTS, { extraction_strategy: { type: 'JsonXPathExtractionStrategy', params: { schema: productXpathSchema } } })
    expect(JSON.parse(r.extracted_content)).toEqual([
      { sku: 'P-100', name: 'Permanent browser kit', link: '/compat/items/permanent.html', specs: [{ key: 'Memory' }, { key: 'Launch' }] },
      { sku: 'P-200', name: 'Warm spare context', link: '/compat/items/spare.html', specs: [{ key: 'Memory' }] },
    ])
  })

  it('RegexExtractionStrategy with built-in patterns (Email | Url) and a custom one', async () => {
    const r = await crawl(PRODUCTS, { extraction_strategy: typed('RegexExtractionStrategy', { pattern: 1 | 8, custom: dict({ sku: 'P-\\d{3}' }), input_format: 'html' }) })
    const matches = JSON.parse(r.extracted_content) as { label: string; value: string; url: string }[]
    expect(matches.filter((m) => m.label === 'email').map((m) => m.value)).toEqual(['parts@fleet.example', 'sales@fleet.example'])
    expect(matches.filter((m) => m.label === 'url').map((m) => m.value)).toContain('https://fleet.example/parts')
    expect(matches.filter((m) => m.label === 'sku').map((m) => m.value)).toEqual(['P-100', 'P-200'])
    expect(matches[0]!.url).toBe(`${site.url}${PRODUCTS}`)
  })

  it('LLMExtractionStrategy with a schema, via the configured LLM', async () => {
    llm.script(reply.json({ items: [{ part: 'Egress proxy', price: 80 }] }))
    const before = llm.requests.length
    const schema = dict({ type: 'object', properties: dict({ part: dict({ type: 'string' }), price: dict({ type: 'number' }) }) })
    const r = await crawl(PRODUCTS, { extraction_strategy: typed('LLMExtractionStrategy', { llm_config: typed('LLMConfig', { provider: 'openai/gpt-4o' }), schema, extraction_type: 'schema', instruction: 'the parts and their prices' }) })
    expect(JSON.parse(r.extracted_content)).toEqual([{ part: 'Egress proxy', price: 80, error: false }])
    const prompt = JSON.stringify(llm.requests.slice(before)[0]!.body.messages)
    expect(prompt).toContain('the parts and their prices')
    expect(prompt).toContain('\\"price\\"')
  })

  it('LLMExtractionStrategy cuts a long page into chunks under its token budget', async () => {
    const before = llm.requests.length
    llm.script(reply.json([{ n: 1 }]), reply.json([{ n: 2 }]), reply.json([{ n: 3 }]), reply.json([{ n: 4 }]), reply.json([{ n: 5 }]), reply.json([{ n: 6 }]))
    const r = await crawl('/big?mb=0.02', { extraction_strategy: typed('LLMExtractionStrategy', { instruction: 'every paragraph', chunk_token_threshold: 2000 }) })
    const calls = llm.requests.length - before
    expect(calls).toBeGreaterThan(1)
    expect(JSON.parse(r.extracted_content)).toHaveLength(calls)
    llm.clearScript()
  })
})
