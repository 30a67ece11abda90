// The extractor works on htmlparser2's plain tree, not on a DOM: parsing is about three times
// faster than linkedom's, and the extractor only walks children, reads attributes and text.
// linkedom is the same parser underneath, so both see the same tree. Nodes are told apart by their
// `type`, never by class: htmlparser2 carries its own copy of domhandler.
import { parseDocument } from 'htmlparser2'

export interface BaseNode {
  type: string
  parent: ParentNode | null
  prev: AnyNode | null
  next: AnyNode | null
}
export interface Text extends BaseNode {
  type: 'text'
  data: string
}
export interface Element extends BaseNode {
  /** 'script' and 'style' are elements too, with raw text inside */
  type: 'tag' | 'script' | 'style'
  name: string
  attribs: Record<string, string>
  children: AnyNode[]
}
export interface Document extends BaseNode {
  type: 'root'
  children: AnyNode[]
}
export type ParentNode = Element | Document
export type AnyNode = Element | Text | Document | BaseNode

export function parse(html: string): Document {
  return parseDocument(html, { lowerCaseTags: true, lowerCaseAttributeNames: true }) as unknown as Document
}

export const isElement = (n: AnyNode | null | undefined): n is Element => !!n && (n.type === 'tag' || n.type === 'script' || n.type === 'style')
export const isText = (n: AnyNode | null | undefined): n is Text => !!n && n.type === 'text'

/** The first element named `name`, depth first. */
export function findFirst(root: ParentNode, name: string): Element | null {
  for (const c of root.children) {
    if (!isElement(c)) continue
    if (c.name === name) return c
    const found = findFirst(c, name)
    if (found) return found
  }
  return null
}

/** white space collapsed, as a reader counts characters */
export function textOf(n: AnyNode): string {
  const parts: string[] = []
  const walk = (x: AnyNode) => {
    if (isText(x)) parts.push(x.data)
    else if (isElement(x) && x.type === 'tag') for (const c of x.children) walk(c)
  }
  walk(n)
  return parts.join('').replace(/\s+/g, ' ').trim()
}

export function remove(n: AnyNode): void {
  const p = n.parent
  if (!p) return
  const i = p.children.indexOf(n)
  if (i >= 0) p.children.splice(i, 1)
  if (n.prev) n.prev.next = n.next
  if (n.next) n.next.prev = n.prev
  n.parent = n.prev = n.next = null
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'])
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')

/** HTML of the nodes; only &, <, > and quotes are escaped, so non-Latin text stays readable */
export function serialize(nodes: readonly AnyNode[]): string {
  const out: string[] = []
  const walk = (n: AnyNode) => {
    if (isText(n)) return void out.push(escapeText(n.data))
    if (!isElement(n) || n.type !== 'tag') return
    out.push(`<${n.name}`)
    for (const [k, v] of Object.entries(n.attribs)) out.push(v === '' ? ` ${k}` : ` ${k}="${escapeAttr(v)}"`)
    out.push('>')
    if (VOID.has(n.name)) return
    for (const c of n.children) walk(c)
    out.push(`</${n.name}>`)
  }
  for (const n of nodes) walk(n)
  return out.join('')
}
