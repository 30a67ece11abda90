/** A binary min-heap keyed by a number: the event queue of the placement simulation. */
export class MinHeap<T> {
  private readonly keys: number[] = []
  private readonly items: T[] = []

  get size(): number {
    return this.keys.length
  }

  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0] : Infinity
  }

  push(key: number, item: T): void {
    const k = this.keys
    const v = this.items
    let i = k.length
    k.push(key)
    v.push(item)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (k[p] <= key) break
      k[i] = k[p]
      v[i] = v[p]
      i = p
    }
    k[i] = key
    v[i] = item
  }

  pop(): T | undefined {
    const k = this.keys
    const v = this.items
    if (k.length === 0) return undefined
    const top = v[0]
    const lastKey = k.pop()!
    const lastItem = v.pop()!
    const n = k.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const c = l + 1 < n && k[l + 1] < k[l] ? l + 1 : l
        if (k[c] >= lastKey) break
        k[i] = k[c]
        v[i] = v[c]
        i = c
      }
      k[i] = lastKey
      v[i] = lastItem
    }
    return top
  }
}
