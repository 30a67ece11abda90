import type TurndownService from 'turndown'

// GFM tables and task lists as turndown rules. @joplin/turndown-plugin-gfm has both, but they read
// HTMLTableElement.rows and HTMLInputElement.checked, which linkedom does not implement: its
// tables come out as run-together cell text and every task as unchecked. These read only
// attributes and children, which every DOM has.

interface TableShape {
  readonly convertible: boolean
  readonly columns: number
  readonly firstRow: Element | null
  readonly firstRowIsHeader: boolean
}

const shapes = new WeakMap<Element, TableShape>()

const colspan = (cell: Element) => Math.max(1, Math.min(1000, Number(cell.getAttribute('colspan')) || 1))
const cellsOf = (row: Element) => [...row.children].filter((c) => c.tagName === 'TD' || c.tagName === 'TH')

function shapeOf(table: Element | null): TableShape | null {
  if (!table) return null
  let shape = shapes.get(table)
  if (!shape) {
    const rows = [...table.querySelectorAll('tr')].filter((tr) => tr.closest('table') === table)
    const columns = Math.max(0, ...rows.map((r) => cellsOf(r).reduce((n, c) => n + colspan(c), 0)))
    const firstRow = rows[0] ?? null
    const firstCells = firstRow ? cellsOf(firstRow) : []
    shape = {
      // a table inside a table is layout, and code cannot live on one Markdown line
      convertible: rows.length > 0 && rows.length * columns > 1 && table.querySelector('table, pre') === null,
      columns,
      firstRow,
      firstRowIsHeader:
        firstRow !== null && (firstRow.parentElement?.tagName === 'THEAD' || (firstCells.length > 0 && firstCells.every((c) => c.tagName === 'TH'))),
    }
    shapes.set(table, shape)
  }
  return shape
}

const inTable = (node: Element) => shapeOf(node.closest('table'))?.convertible === true

function cellText(content: string): string {
  return content
    .trim()
    .replace(/\s*\n+\s*/g, '<br>')
    .replace(/\|/g, '\\|')
}

export function gfmTables(service: TurndownService): void {
  service.addRule('gfmTableCell', {
    filter: (node) => (node.nodeName === 'TD' || node.nodeName === 'TH') && inTable(node),
    replacement: (content, node) => ` ${cellText(content)} |` + '  |'.repeat(colspan(node) - 1),
  })
  service.addRule('gfmTableRow', {
    filter: (node) => node.nodeName === 'TR' && inTable(node),
    replacement: (content, node) => {
      const shape = shapeOf(node.closest('table'))!
      const width = cellsOf(node).reduce((n, c) => n + colspan(c), 0)
      const line = `|${content.replace(/\n/g, '')}${'  |'.repeat(Math.max(0, shape.columns - width))}`
      if (node !== shape.firstRow) return `\n${line}\n`
      const divider = `|${' --- |'.repeat(shape.columns)}`
      // GFM has no header-less table: give one an empty header so the first data row survives
      return shape.firstRowIsHeader ? `\n${line}\n${divider}\n` : `\n|${'  |'.repeat(shape.columns)}\n${divider}\n${line}\n`
    },
  })
  service.addRule('gfmTableCaption', {
    filter: (node) => node.nodeName === 'CAPTION' && inTable(node),
    replacement: () => '',
  })
  service.addRule('gfmTable', {
    filter: (node) => node.nodeName === 'TABLE' && shapeOf(node)?.convertible === true,
    replacement: (content, node) => {
      const caption = node.querySelector('caption')?.textContent?.trim()
      const rows = content.replace(/\n+/g, '\n').trim()
      return `\n\n${caption ? `${caption}\n\n` : ''}${rows}\n\n`
    },
  })
}

const TASK_MARK = 'data-crawlfleet-task'
const isTaskCheckbox = (node: Element) =>
  node.nodeName === 'INPUT' && node.getAttribute('type')?.toLowerCase() === 'checkbox' && node.parentElement?.closest('li') != null

/**
 * Readability removes every `input`; this swaps task-list checkboxes for marked spans it keeps.
 * The span holds a character because turndown skips blank elements before any rule sees them.
 */
export function protectTaskCheckboxes(root: Element): void {
  for (const input of [...root.querySelectorAll('input')]) {
    if (!isTaskCheckbox(input)) continue
    const mark = input.ownerDocument.createElement('span')
    mark.setAttribute(TASK_MARK, input.hasAttribute('checked') ? 'x' : ' ')
    mark.textContent = '\u2610'
    input.replaceWith(mark)
  }
}

export function gfmTaskLists(service: TurndownService): void {
  service.addRule('gfmTaskListItem', {
    filter: (node) => isTaskCheckbox(node) || (node.nodeName === 'SPAN' && node.hasAttribute(TASK_MARK)),
    replacement: (_content, node) => {
      const checked = node.nodeName === 'INPUT' ? node.hasAttribute('checked') : node.getAttribute(TASK_MARK) === 'x'
      return checked ? '[x] ' : '[ ] '
    },
  })
}

/** `- item` and `1. item` with one space, nested content indented to match */
export function compactListItems(service: TurndownService): void {
  service.addRule('compactListItem', {
    filter: 'li',
    replacement: (content, node, options) => {
      const parent = node.parentElement
      let prefix = `${options.bulletListMarker ?? '-'} `
      if (parent?.tagName === 'OL') {
        const start = Number(parent.getAttribute('start'))
        prefix = `${(Number.isFinite(start) && parent.hasAttribute('start') ? start : 1) + [...parent.children].indexOf(node)}. `
      }
      const body = content
        .replace(/^\n+/, '')
        .replace(/\n+$/, '\n')
        .replace(/^(\[[ x]\]) +/, '$1 ')
        .replace(/\n/gm, `\n${' '.repeat(prefix.length)}`)
      return prefix + body + (node.nextSibling && !/\n$/.test(body) ? '\n' : '')
    },
  })
}
