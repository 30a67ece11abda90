// Plain text of a subtree as a reader sees it: paragraphs, headings and blocks apart, a list item
// or a table row a line, table cells apart by a tab, preformatted text kept as it is, every other
// run of white space one space. No markup, no URLs.

import { isElement, isText, type AnyNode } from './dom.ts'

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'CANVAS', 'SVG', 'SELECT', 'BUTTON', 'HEAD', 'TITLE', 'META', 'LINK'])
/** a blank line around these */
const PARAGRAPHS = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'PRE', 'BLOCKQUOTE', 'TABLE', 'UL', 'OL', 'DL', 'FIGURE', 'HR', 'ADDRESS', 'DETAILS'])
/** a line break around these */
const LINES = new Set([
  'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'HEADER', 'FOOTER', 'ASIDE', 'NAV', 'FORM', 'FIELDSET', 'LI', 'DT', 'DD', 'TR', 'CAPTION',
  'FIGCAPTION', 'SUMMARY', 'THEAD', 'TBODY', 'TFOOT', 'BODY', 'HTML', 'LEGEND', 'OPTION', 'CENTER', 'HGROUP', 'PICTURE', 'VIDEO', 'AUDIO',
])
const CELLS = new Set(['TD', 'TH'])

/** 0 none, 1 a space, 2 a line break, 3 a blank line, 4 a tab (between cells) */
type Gap = 0 | 1 | 2 | 3 | 4

class TextSink {
  private readonly out: string[] = []
  private gap: Gap = 0
  private started = false

  text(s: string): void {
    if (!s) return
    if (this.started) this.out.push(this.gap === 3 ? '\n\n' : this.gap === 2 ? '\n' : this.gap === 4 ? '\t' : this.gap === 1 ? ' ' : '')
    this.out.push(s)
    this.started = true
    this.gap = 0
  }

  want(gap: Gap): void {
    // a line break outranks a space and a tab; a blank line outranks everything
    if (gap === 4) this.gap = this.gap >= 2 && this.gap !== 4 ? this.gap : 4
    else if (this.gap === 4) this.gap = gap >= 2 ? gap : 4
    else if (gap > this.gap) this.gap = gap
  }

  toString(): string {
    return this.out.join('')
  }
}

function walk(node: AnyNode, sink: TextSink, pre: boolean, skip: ReadonlySet<AnyNode>): void {
  if (isText(node)) {
    const raw = node.data
    if (pre) return sink.text(raw)
    if (/^\s/.test(raw)) sink.want(1)
    const words = raw.replace(/\s+/g, ' ').trim()
    sink.text(words)
    if (words && /\s$/.test(raw)) sink.want(1)
    return
  }
  if (!isElement(node) || node.type !== 'tag' || skip.has(node)) return
  const el = node
  const tag = el.name.toUpperCase()
  if (SKIPPED.has(tag)) return
  if (tag === 'BR') return sink.want(2)
  const gap: Gap = PARAGRAPHS.has(tag) ? 3 : LINES.has(tag) ? 2 : CELLS.has(tag) ? 4 : 0
  if (gap) sink.want(gap)
  const inPre = pre || tag === 'PRE' || tag === 'TEXTAREA'
  for (const c of el.children) walk(c, sink, inPre, skip)
  if (gap === 4) sink.want(4)
  else if (gap) sink.want(gap)
}

/** The plain text of the nodes (each a block of its own) but `skip`'s subtrees, trimmed; '' when there is none. */
export function toPlainText(nodes: readonly AnyNode[], skip: ReadonlySet<AnyNode> = new Set()): string {
  const sink = new TextSink()
  for (const n of nodes) {
    sink.want(3)
    walk(n, sink, false, skip)
  }
  return sink
    .toString()
    .replace(/[ \t]+\n/g, '\n')
    .trim()
}
