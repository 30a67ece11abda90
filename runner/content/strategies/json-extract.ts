import xpath from 'xpath'
import { parseHtml } from '../parse-html.ts'
import type { ExtractionSchema, SchemaField } from '../../contract/crawl4ai/strategies.ts'
import { pythonRegex } from './python-regex.ts'

// crawl4ai's JsonCssExtractionStrategy and JsonXPathExtractionStrategy (extraction_strategy.py):
// for every element matching baseSelector, an object of its baseFields and fields. Both run on a
// linkedom tree outside the browser. XPath is evaluated by the `xpath` package (XPath 1.0, as lxml).

interface Engine<N> {
  base(doc: Document, selector: string): N[]
  select(node: N, selector: string): N[]
  text(node: N): string
  html(node: N): string
  attribute(node: N, name: string): string | null
  nextSibling(node: N, source: string): N | null
}

type Item = Record<string, unknown>

function sourceSibling(el: Element, source: string): Element | null {
  const s = source.trim()
  if (!s.startsWith('+')) return null
  const [tag, ...classes] = s.slice(1).trim().split('.')
  for (let n = el.nextElementSibling; n; n = n.nextElementSibling) {
    if (tag && n.tagName.toLowerCase() !== tag.toLowerCase()) continue
    const own = (n.getAttribute('class') ?? '').split(/\s+/)
    if (classes.every((c) => !c || own.includes(c))) return n
  }
  return null
}

/** BeautifulSoup's get_text(strip=True): every text piece stripped, empty ones dropped, joined without a separator */
function soupText(el: Element): string {
  const parts: string[] = []
  const walk = (n: Node) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) {
        const t = (c.textContent ?? '').trim()
        if (t) parts.push(t)
      } else if (c.nodeType === 1 && !['SCRIPT', 'STYLE'].includes((c as Element).tagName)) walk(c)
    }
  }
  walk(el)
  return parts.join('')
}

export const cssEngine: Engine<Element> = {
  base: (doc, selector) => [...doc.querySelectorAll(selector)],
  select: (node, selector) => [...node.querySelectorAll(selector)],
  text: soupText,
  html: (node) => node.outerHTML,
  attribute: (node, name) => node.getAttribute(name),
  nextSibling: sourceSibling,
}

/** crawl4ai's _css_to_xpath: a selector without "/" is turned into a descendant path */
function cssToXpath(selector: string): string {
  if (selector.includes('/')) return selector
  if (selector.includes(' > ')) return `//${selector.split(' > ').join('/')}`
  if (selector.includes(' ')) return `//${selector.split(' ').join('//')}`
  return `//${selector}`
}

// `parse` is in the package, not in its type declarations; isHtml makes names match HTML elements
const parseXpath = (xpath as unknown as { parse(e: string): { select(o: { node: Node; isHtml: boolean }): Node[] } }).parse
const evalNodes = (expr: string, node: Node): Element[] => parseXpath(expr).select({ node, isHtml: true }).filter((n): n is Element => n.nodeType === 1)

export const xpathEngine: Engine<Element> = {
  base: (doc, selector) => evalNodes(selector, doc),
  select: (node, selector) => {
    const expr = cssToXpath(selector)
    return evalNodes(expr.startsWith('.') ? expr : `.${expr}`, node)
  },
  text: (node) => parseXpath('.//text()').select({ node, isHtml: true }).map((t) => t.textContent ?? '').join('').trim(),
  html: (node) => node.outerHTML,
  attribute: (node, name) => node.getAttribute(name),
  nextSibling: sourceSibling,
}

function transform(value: unknown, how: string | undefined): unknown {
  if (typeof value !== 'string' || !how) return value
  return how === 'lowercase' ? value.toLowerCase() : how === 'uppercase' ? value.toUpperCase() : how === 'strip' ? value.trim() : value
}

function singleField<N>(e: Engine<N>, element: N, f: SchemaField): unknown {
  let selected: N | undefined = element
  if (f.selector) selected = e.select(element, f.selector)[0]
  if (selected === undefined) return f.default ?? null
  let value: unknown = selected
  for (const step of Array.isArray(f.type) ? f.type : [f.type]) {
    if (step === 'text') value = typeof value === 'string' ? value : e.text(value as N)
    else if (step === 'attribute') value = typeof value === 'string' ? null : e.attribute(value as N, f.attribute ?? '')
    else if (step === 'html') value = typeof value === 'string' ? value : e.html(value as N)
    else if (step === 'regex' && f.pattern) {
      const s = typeof value === 'string' ? value : e.text(value as N)
      const m = pythonRegex(f.pattern).exec(s)
      value = m ? (m[f.group ?? 1] ?? null) : null
    }
    if (value === null || value === undefined) break
  }
  if (value !== null && typeof value === 'object') value = e.text(value as N)
  value = transform(value, f.transform)
  return value ?? f.default ?? null
}

function field<N>(e: Engine<N>, element: N, f: SchemaField): unknown {
  try {
    let el: N | null = element
    if (f.source) el = e.nextSibling(element, f.source)
    if (el === null) return f.default ?? null
    if (f.type === 'nested') {
      const nested = f.selector ? e.select(el, f.selector)[0] : el
      return nested === undefined ? {} : item(e, nested, f.fields ?? [])
    }
    if (f.type === 'list') return (f.selector ? e.select(el, f.selector) : [el]).map((x) => listItem(e, x, f.fields ?? []))
    if (f.type === 'nested_list') return (f.selector ? e.select(el, f.selector) : [el]).map((x) => item(e, x, f.fields ?? []))
    if (f.type === 'computed') return f.default ?? null // crawl4ai disables expressions too
    return singleField(e, el, f)
  } catch {
    return f.default ?? null
  }
}

function listItem<N>(e: Engine<N>, el: N, fields: readonly SchemaField[]): Item {
  const out: Item = {}
  for (const f of fields) {
    const v = singleField(e, el, f)
    if (v !== null && v !== undefined) out[f.name] = v
  }
  return out
}

function item<N>(e: Engine<N>, el: N, fields: readonly SchemaField[]): Item {
  const out: Item = {}
  for (const f of fields) {
    const v = field(e, el, f)
    if (v !== null && v !== undefined) out[f.name] = v
  }
  return out
}

export function extractWithSchema<N>(e: Engine<N>, doc: Document, schema: ExtractionSchema): Item[] {
  const results: Item[] = []
  for (const el of e.base(doc, schema.baseSelector)) {
    const out: Item = {}
    for (const f of schema.baseFields ?? []) {
      const v = singleField(e, el, f)
      if (v !== null && v !== undefined) out[f.name] = v
    }
    Object.assign(out, item(e, el, schema.fields))
    if (Object.keys(out).length) results.push(out)
  }
  return results
}

/** crawl4ai's JsonCssExtractionStrategy / JsonXPathExtractionStrategy on a page's HTML. */
export function jsonExtract(kind: 'css' | 'xpath', html: string, pageUrl: string, schema: ExtractionSchema): Item[] {
  // linkedom's doctype node has no nextSibling, which hides the whole tree from an XPath walk: it is left out
  const source = kind === 'xpath' ? html.replace(/^\s*<!doctype[^>]*>/i, '') : html
  const { document } = parseHtml(source, pageUrl)
  return extractWithSchema(kind === 'css' ? cssEngine : xpathEngine, document, schema)
}
