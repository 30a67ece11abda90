import { parseHTML } from 'linkedom'
import { describe, expect, it } from 'vitest'
import { CrawlerRunConfig } from '../../../runner/contract/crawl4ai/crawler-run-config.ts'
import { markdownWithCitations } from '../../../runner/content/strategies/citations.ts'
import { chunkText } from '../../../runner/content/strategies/chunks.ts'
import { pageContent } from '../../../runner/content/strategies/index.ts'
import { jsonExtract } from '../../../runner/content/strategies/json-extract.ts'
import { pruneContent } from '../../../runner/content/strategies/pruning.ts'
import { pythonRegex } from '../../../runner/content/strategies/python-regex.ts'
import { patternBits, regexExtract } from '../../../runner/content/strategies/regex-extract.ts'
import { extractTables, tableScore } from '../../../runner/content/strategies/tables.ts'

// crawl4ai's content strategies as pure functions: an HTML string in, plain data out (no browser).

const URL_ = 'https://shop.example/list'
const doc = (html: string) => parseHTML(`<!doctype html><html><body>${html}</body></html>`).document
const config = (c: unknown) => CrawlerRunConfig.parse(c)

describe('citations', () => {
  it('numbers each URL once, images too, and lists the references', () => {
    const { markdownWithCitations: md, referencesMarkdown } = markdownWithCitations('See [the docs](https://a.example/d "Docs") and [again](https://a.example/d), ![logo](/l.png).', 'https://a.example/')
    expect(md).toBe('See the docs⟨1⟩ and again⟨1⟩, ![logo⟨2⟩].')
    expect(referencesMarkdown).toBe('\n\n## References\n\n⟨1⟩ https://a.example/d: Docs - the docs\n⟨2⟩ https://a.example/l.png: logo\n')
  })
})

describe('tables', () => {
  const data = '<table><caption>Prices</caption><thead><tr><th>A</th><th colspan="2">B</th></tr></thead><tbody><tr><td>1</td><td>2</td><td>3</td></tr><tr><td>4</td><td>5</td></tr></tbody></table>'
  it('scores a data table above a layout table and aligns rows to the headers', () => {
    const d = doc(`${data}<table role="presentation"><tr><td>x</td></tr></table>`)
    const [a, b] = [...d.querySelectorAll('table')]
    expect(tableScore(a!)).toBeGreaterThanOrEqual(7)
    expect(tableScore(b!)).toBeLessThan(7)
    expect(extractTables(d.body)).toEqual([
      { headers: ['A', 'B', 'B'], rows: [['1', '2', '3'], ['4', '5', '']], caption: 'Prices', summary: '', metadata: { row_count: 2, column_count: 3, has_headers: true, has_caption: true, has_summary: false } },
    ])
  })
})

describe('PruningContentFilter', () => {
  it('keeps dense text blocks, drops link lists and excluded tags', () => {
    const d = doc(`<nav><a href="/1">one</a><a href="/2">two</a></nav><div class="sidebar"><a href="/x">x</a> <a href="/y">y</a></div><article><p>${'A long paragraph about browser pools and why warm browsers answer faster. '.repeat(4)}</p></article>`)
    const blocks = pruneContent(d.body)
    expect(blocks.join('')).toContain('A long paragraph about browser pools')
    expect(blocks.join('')).not.toContain('one')
  })
})

describe('RegexExtractionStrategy', () => {
  it('reads crawl4ai flag integers and names', () => {
    expect(patternBits(1 | 8)).toBe(9)
    expect(patternBits(['Email', 'url'])).toBe(9)
    expect(patternBits('PhoneUS')).toBe(4)
    expect(() => patternBits('zipcode')).toThrow(/not a built-in pattern/)
  })
  it('finds matches with their spans, built-in and custom', () => {
    const text = 'Mail a@b.example on 2026-12-01, #ff00aa, order P-123.'
    const found = regexExtract(URL_, text, { pattern: ['email', 'date_iso', 'html_color_hex'], custom: { order: 'P-(?P<n>\\d+)' } })
    expect(found.map((m) => [m.label, m.value])).toEqual([
      ['email', 'a@b.example'],
      ['date_iso', '2026-12-01'],
      ['html_color_hex', '#ff00aa'],
      ['order', 'P-123'],
    ])
    expect(found[0]!.span).toEqual([5, 16])
  })
  it('translates Python regex syntax', () => {
    expect(pythonRegex('(?i)(?P<x>ab)(?P=x)').exec('ABab')?.groups?.x).toBe('AB')
  })
})

describe('JsonCss and JsonXPath extraction', () => {
  const html = '<!doctype html><html><body><div class="item" data-id="1"><h2>Alpha <b>one</b></h2><span class="p">$1.50</span></div><div class="item" data-id="2"><h2>Beta</h2></div></body></html>'
  it('CSS: baseFields, text as get_text(strip=True), regex, default', () => {
    const schema = { baseSelector: 'div.item', baseFields: [{ name: 'id', type: 'attribute' as const, attribute: 'data-id' }], fields: [{ name: 'title', selector: 'h2', type: 'text' as const }, { name: 'price', selector: '.p', type: 'regex' as const, pattern: '\\$([\\d.]+)', default: 'n/a' }] }
    expect(jsonExtract('css', html, URL_, schema)).toEqual([
      { id: '1', title: 'Alphaone', price: '1.50' },
      { id: '2', title: 'Beta', price: 'n/a' },
    ])
  })
  it('XPath 1.0 on the same tree, past the doctype', () => {
    const schema = { baseSelector: "//div[@class='item']", fields: [{ name: 'title', selector: './/h2', type: 'text' as const }, { name: 'bold', selector: 'h2 b', type: 'text' as const }] }
    expect(jsonExtract('xpath', html, URL_, schema)).toEqual([{ title: 'Alpha one', bold: 'one' }, { title: 'Beta' }])
  })
})

describe('pageContent: one HTML string in, the crawl4ai result parts out', () => {
  const page = `<!doctype html><html><head><title>Shop</title></head><body><header><a href="/">Home</a></header><main><h1>Items</h1><p>Two items for the list, <a href="https://twitter.com/shop">on Twitter</a> and <a href="/item/1" title="First">one</a>.</p><form><input></form></main><footer>Imprint</footer></body></html>`
  it('applies css_selector, exclusions and link rules, and is plain data', () => {
    const c = pageContent(page, URL_, URL_, config({ css_selector: 'main', remove_forms: true, exclude_social_media_links: true }))
    expect(JSON.parse(JSON.stringify(c))).toEqual(c)
    expect(c.cleanedHtml).not.toMatch(/<form|Imprint|Home/)
    expect(c.links.internal).toContainEqual({ href: 'https://shop.example/item/1', text: 'one', title: 'First', base_domain: 'shop.example' })
    expect(c.links.external).toEqual([])
    expect(c.markdown.raw_markdown).toContain('# Items')
    expect(c.markdown.markdown_with_citations).toContain('one⟨1⟩')
    expect(c.metadata.title).toBe('Shop')
  })
  it('runs an extraction strategy that needs no LLM', () => {
    const c = pageContent(page, URL_, URL_, config({ extraction_strategy: { type: 'JsonCssExtractionStrategy', params: { schema: { baseSelector: 'main', fields: [{ name: 'h', selector: 'h1', type: 'text' }] } } } }))
    expect(c.extractedContent).toBe(JSON.stringify([{ h: 'Items' }], null, 4))
  })
})

describe('chunks for an LLM', () => {
  it('stay under the budget, cut at paragraph breaks, and cover the text', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(40)}`).join('\n\n')
    const chunks = chunkText(text, 300)
    expect(chunks.length).toBeGreaterThan(3)
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1200)
    expect(chunks.join('')).toBe(text)
  })
})
