import { readFile } from 'node:fs/promises'

// Heap snapshots (V8's .heapsnapshot JSON) summed by constructor, and the difference of two: what
// grew between load waves, by count and bytes. Self sizes only: enough to name what accumulates.

export interface ConstructorTotal {
  readonly name: string
  readonly count: number
  readonly bytes: number
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

/** `byName`: also split code, hidden and native nodes by their names (which function's code grew). */
export async function totalsByConstructor(path: string, o: { byName?: boolean } = {}): Promise<Map<string, ConstructorTotal>> {
  const s = JSON.parse(await readFile(path, 'utf8')) as Snapshot
  const fields = s.snapshot.meta.node_fields
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number]
  const types = s.snapshot.meta.node_types[0]
  const totals = new Map<string, { name: string; count: number; bytes: number }>()
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!
    // objects by constructor; strings, code, arrays … by their type (their "names" are their contents)
    const own = s.strings[s.nodes[i + nameAt]!]
    const name = type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${own}` : o.byName && type !== 'string' && type !== 'concatenated string' ? `(${type}) ${own}` : `(${type})`
    const t = totals.get(name) ?? { name, count: 0, bytes: 0 }
    t.count++
    t.bytes += s.nodes[i + sizeAt]!
    totals.set(name, t)
  }
  return totals
}

/** What grew from `before` to `after`, largest growth in bytes first. */
export function diffTotals(before: Map<string, ConstructorTotal>, after: Map<string, ConstructorTotal>, top = 15): { name: string; countDelta: number; bytesDelta: number }[] {
  const names = new Set([...before.keys(), ...after.keys()])
  return [...names]
    .map((name) => ({ name, countDelta: (after.get(name)?.count ?? 0) - (before.get(name)?.count ?? 0), bytesDelta: (after.get(name)?.bytes ?? 0) - (before.get(name)?.bytes ?? 0) }))
    .filter((d) => d.bytesDelta > 0 || d.countDelta > 0)
    .sort((a, b) => b.bytesDelta - a.bytesDelta)
    .slice(0, top)
}
