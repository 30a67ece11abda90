import { isBoilerplateElement } from './boilerplate.ts'

/** A heading and what follows it up to the next heading; the unit BM25 ranks. */
export interface ContentBlock {
  readonly elements: readonly Element[]
  readonly text: string
}

const HEADING = /^H[1-6]$/
const LEAF_BLOCKS = new Set(['P', 'UL', 'OL', 'TABLE', 'PRE', 'BLOCKQUOTE', 'DL', 'FIGURE', 'ADDRESS', 'DETAILS'])

function hasOwnText(el: Element): boolean {
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 3 && n.textContent!.trim()) return true
  return false
}

/** Splits `root` into blocks in page order, skipping boilerplate; does not modify the tree. */
export function splitBlocks(root: Element): ContentBlock[] {
  const groups: Element[][] = [[]]
  const walk = (el: Element) => {
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) {
      if (isBoilerplateElement(c)) continue
      if (HEADING.test(c.tagName)) groups.push([c])
      else if (LEAF_BLOCKS.has(c.tagName) || hasOwnText(c)) groups.at(-1)!.push(c)
      else walk(c)
    }
  }
  walk(root)
  return groups
    .filter((g) => g.length > 0)
    .map((elements) => ({ elements, text: elements.map((e) => e.textContent ?? '').join('\n') }))
}
