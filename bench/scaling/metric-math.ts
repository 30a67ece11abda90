// A small evaluator for the CloudWatch metric math the scaling alarms use, one datapoint at a
// time: numbers, metric/expression ids, + - * /, comparisons, AND/OR, FILL(x, v), MAX([..]),
// MIN([..]), IF(c, a, b). A missing datapoint is undefined and spreads through arithmetic the way
// CloudWatch drops a timestamp some series lacks; FILL replaces it, MAX/MIN skip it. Anything
// else stops the simulation: a policy it cannot read must not be simulated by a guess.

export type Value = number | undefined

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'list'; items: Node[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'op'; op: string; left: Node; right: Node }
  | { kind: 'neg'; arg: Node }

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/()[\],<>]))/y

function tokenize(text: string): string[] {
  const out: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(text)
    if (!m) throw new Error(`metric math: cannot read "${text.slice(TOKEN.lastIndex)}" in "${text}"`)
    out.push(m[1] ?? m[2] ?? m[3]!)
  }
  return out
}

// lowest to highest precedence
const LEVELS: readonly (readonly string[])[] = [['OR'], ['AND'], ['>', '<', '>=', '<=', '==', '!='], ['+', '-'], ['*', '/']]

export function parse(text: string): Node {
  const tokens = tokenize(text)
  let i = 0
  const peek = () => tokens[i]
  const take = (want?: string) => {
    const t = tokens[i++]
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`metric math: expected ${want ?? 'more'} in "${text}"`)
    return t
  }
  const level = (n: number): Node => {
    if (n === LEVELS.length) return unary()
    let left = level(n + 1)
    while (peek() !== undefined && LEVELS[n]!.includes(peek()!)) {
      const op = take()
      left = { kind: 'op', op, left, right: level(n + 1) }
    }
    return left
  }
  const unary = (): Node => (peek() === '-' ? (take(), { kind: 'neg', arg: unary() }) : primary())
  const primary = (): Node => {
    const t = take()
    if (t === '(') {
      const inner = level(0)
      take(')')
      return inner
    }
    if (t === '[') {
      const items: Node[] = []
      while (peek() !== ']') {
        items.push(level(0))
        if (peek() === ',') take(',')
      }
      take(']')
      return { kind: 'list', items }
    }
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) }
    if (peek() === '(') {
      take('(')
      const args: Node[] = []
      while (peek() !== ')') {
        args.push(level(0))
        if (peek() === ',') take(',')
      }
      take(')')
      return { kind: 'call', name: t.toUpperCase(), args }
    }
    return { kind: 'id', name: t }
  }
  const node = level(0)
  if (i !== tokens.length) throw new Error(`metric math: unexpected "${tokens[i]}" in "${text}"`)
  return node
}

/** One datapoint of an expression, given the datapoints of the ids it names. */
export function evaluate(node: Node, lookup: (id: string) => Value): Value {
  const ev = (n: Node): Value => evaluate(n, lookup)
  switch (node.kind) {
    case 'num':
      return node.value
    case 'id':
      return lookup(node.name)
    case 'neg': {
      const v = ev(node.arg)
      return v === undefined ? undefined : -v
    }
    case 'list':
      throw new Error('metric math: a list outside MAX/MIN')
    case 'op': {
      const a = ev(node.left)
      const b = ev(node.right)
      if (a === undefined || b === undefined) return undefined
      switch (node.op) {
        case '+': return a + b
        case '-': return a - b
        case '*': return a * b
        case '/': return b === 0 ? undefined : a / b
        case '>': return a > b ? 1 : 0
        case '<': return a < b ? 1 : 0
        case '>=': return a >= b ? 1 : 0
        case '<=': return a <= b ? 1 : 0
        case '==': return a === b ? 1 : 0
        case '!=': return a !== b ? 1 : 0
        case 'AND': return a !== 0 && b !== 0 ? 1 : 0
        case 'OR': return a !== 0 || b !== 0 ? 1 : 0
      }
      throw new Error(`metric math: operator ${node.op}`)
    }
    case 'call': {
      const { name, args } = node
      if (name === 'FILL') {
        const v = ev(args[0]!)
        return v === undefined ? ev(args[1]!) : v
      }
      if (name === 'IF') {
        const c = ev(args[0]!)
        return c === undefined ? undefined : c !== 0 ? ev(args[1]!) : ev(args[2]!)
      }
      if (name === 'MAX' || name === 'MIN') {
        const list = args[0]
        if (args.length !== 1 || list?.kind !== 'list') throw new Error(`metric math: ${name} takes one [list]`)
        const values = list.items.map(ev).filter((v): v is number => v !== undefined)
        return values.length === 0 ? undefined : name === 'MAX' ? Math.max(...values) : Math.min(...values)
      }
      throw new Error(`metric math: function ${name} is not modelled`)
    }
  }
}
