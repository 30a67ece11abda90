// crawl4ai's DefaultTableExtraction (table_extraction.py): each <table> gets a score for looking like
// data rather than layout; those at or above table_score_threshold (default 7) are returned as
// {headers, rows, caption, summary, metadata}.

export interface C4aTable {
  headers: string[]
  rows: string[][]
  caption: string
  summary: string
  metadata: Record<string, unknown>
}

export interface TableOptions {
  /** @default 7 */
  readonly scoreThreshold?: number
  readonly minRows?: number
  readonly minCols?: number
}

const text = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()
const span = (el: Element) => Math.max(1, Math.min(100, Number.parseInt(el.getAttribute('colspan') ?? '1', 10) || 1))
/** rows of this table, not of a table nested in it */
const ownRows = (table: Element) => [...table.querySelectorAll('tr')].filter((tr) => tr.closest('table') === table)
const cellsOf = (tr: Element, selector = 'td, th') => [...tr.children].filter((c) => c.matches(selector))

export function tableScore(table: Element): number {
  let score = 0
  const hasThead = table.querySelector('thead') !== null
  if (hasThead) score += 2
  if (table.querySelector('tbody') !== null) score += 1
  const rows = ownRows(table)
  if (table.querySelector('th') !== null) {
    score += 2
    if (hasThead || (rows[0] && cellsOf(rows[0], 'th').length > 0)) score += 1
  }
  if (table.querySelector('table') !== null) score -= 3
  if (['presentation', 'none'].includes((table.getAttribute('role') ?? '').toLowerCase())) score -= 3
  if (rows.length === 0) return Number.NEGATIVE_INFINITY
  const counts = rows.map((r) => cellsOf(r).length)
  const avg = counts.reduce((a, b) => a + b, 0) / counts.length
  const variance = counts.reduce((a, c) => a + (c - avg) ** 2, 0) / counts.length
  if (variance < 1) score += 2
  if (table.querySelector('caption') !== null) score += 2
  if (table.getAttribute('summary')) score += 1
  const textChars = rows.reduce((n, r) => n + cellsOf(r).reduce((m, c) => m + text(c).length, 0), 0)
  const tags = table.querySelectorAll('*').length
  const ratio = textChars / (tags + 1e-5)
  if (ratio > 20) score += 3
  else if (ratio > 10) score += 2
  score += [...table.attributes].filter((a) => a.name.startsWith('data-')).length * 0.5
  if (rows.length >= 2 && avg >= 2) score += 2
  return score
}

export function tableData(table: Element): C4aTable {
  const caption = text(table.querySelector('caption') ?? table.ownerDocument.createElement('x'))
  const summary = (table.getAttribute('summary') ?? '').trim()
  const rows = ownRows(table)
  const headRow = rows.find((r) => r.parentElement?.tagName === 'THEAD') ?? rows[0]
  const fromThead = headRow?.parentElement?.tagName === 'THEAD'
  const headers: string[] = []
  if (headRow) for (const c of cellsOf(headRow, fromThead ? 'th, td' : 'th, td')) headers.push(...Array<string>(span(c)).fill(text(c)))
  const body: string[][] = []
  for (const r of rows) {
    if (r.parentElement?.tagName === 'THEAD') continue
    const row: string[] = []
    for (const c of cellsOf(r, 'td')) row.push(...Array<string>(span(c)).fill(text(c)))
    if (row.length) body.push(row)
  }
  const columns = headers.length || Math.max(0, ...body.map((r) => r.length))
  const aligned = body.map((r) => [...r.slice(0, columns), ...Array<string>(Math.max(0, columns - r.length)).fill('')])
  const metadata: Record<string, unknown> = {
    row_count: aligned.length,
    column_count: columns,
    has_headers: fromThead || (rows[0] ? cellsOf(rows[0], 'th').length > 0 : false),
    has_caption: caption !== '',
    has_summary: summary !== '',
  }
  if (table.id) metadata.id = table.id
  if (table.getAttribute('class')) metadata.class = table.getAttribute('class')
  return { headers: headers.length ? headers : Array.from({ length: columns }, (_, i) => `Column ${i + 1}`), rows: aligned, caption, summary, metadata }
}

export function extractTables(root: Element, o: TableOptions = {}): C4aTable[] {
  const threshold = o.scoreThreshold ?? 7
  const out: C4aTable[] = []
  for (const table of root.querySelectorAll('table')) {
    if (tableScore(table) < threshold) continue
    const data = tableData(table)
    if (o.minRows && data.rows.length < o.minRows) continue
    if (o.minCols && data.metadata.column_count as number < o.minCols) continue
    out.push(data)
  }
  return out
}
