/** Typed reads of environment variables; a bad value stops the process at start with the variable's name. */
export class EnvReader {
  constructor(private readonly env: Record<string, string | undefined>) {}

  string(name: string): string | undefined
  string(name: string, fallback: string): string
  string(name: string, fallback?: string): string | undefined {
    const v = this.env[name]?.trim()
    return v ? v : fallback
  }

  int(name: string, fallback: number, o: { min?: number; max?: number } = {}): number {
    const raw = this.string(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      throw new Error(`${name} must be an integer${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}, got "${raw}"`)
    }
    return n
  }

  number(name: string, fallback: number, o: { min?: number; max?: number } = {}): number {
    const raw = this.string(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      throw new Error(`${name} must be a number${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}, got "${raw}"`)
    }
    return n
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  }

  /** three numbers for the LOW, MEDIUM and HIGH pressure levels, e.g. "300,60,30" */
  triple(name: string, fallback: readonly [number, number, number]): [number, number, number] {
    const items = this.list(name)
    if (items.length === 0) return [...fallback]
    const nums = items.map(Number)
    if (nums.length !== 3 || nums.some((n) => !Number.isFinite(n) || n <= 0)) {
      throw new Error(`${name} must be three positive numbers for LOW,MEDIUM,HIGH pressure, got "${this.string(name)}"`)
    }
    return nums as [number, number, number]
  }
}
