// Pure parsers for cgroup and /proc text. No I/O: the reader feeds them what it read.

/** Values at or above this are the kernel's way of saying "unlimited" (v1 uses 2^63 rounded to a page). */
export const UNLIMITED_BYTES = 2 ** 60

export interface ProcSelfCgroup {
  /** the path from the `0::/path` line (cgroup v2 unified hierarchy), or null when there is none */
  readonly v2Path: string | null
  /** v1 controller name → path, one entry per controller of a `id:ctrl1,ctrl2:/path` line */
  readonly v1: Readonly<Record<string, string>>
}

/** A plain non-negative integer file (`memory.current`, `cpuacct.usage`, …); null for anything else. */
export function parseCount(text: string): number | null {
  const t = text.trim()
  return /^\d+$/.test(t) ? Number(t) : null
}

/** cgroup v2 `memory.max` or `memory.high`: bytes, or null for `max` (no limit at this level). */
export function parseMemoryMax(text: string): number | null {
  return text.trim() === 'max' ? null : parseCount(text)
}

/** cgroup v2 `cpu.max`: `$QUOTA $PERIOD`, where `max` means no quota. The period may be left out. */
export function parseCpuMax(text: string): { quotaUs: number; periodUs: number } | null {
  const [quota, period = '100000', ...rest] = text.trim().split(/\s+/)
  if (quota === 'max' || rest.length > 0) return null
  const quotaUs = parseCount(quota)
  const periodUs = parseCount(period)
  return quotaUs !== null && quotaUs > 0 && periodUs !== null && periodUs > 0 ? { quotaUs, periodUs } : null
}

/** cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`; a quota of -1 means no quota. */
export function parseV1CpuQuota(quotaText: string, periodText: string): { quotaUs: number; periodUs: number } | null {
  const quotaUs = parseCount(quotaText)
  const periodUs = parseCount(periodText)
  return quotaUs !== null && quotaUs > 0 && periodUs !== null && periodUs > 0 ? { quotaUs, periodUs } : null
}

/** Flat `key value` files: `memory.stat` (both versions) and v2 `cpu.stat`. Unparsable lines are skipped. */
export function parseMemoryStat(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const [key, value, ...rest] = line.trim().split(/\s+/)
    const n = value === undefined || rest.length > 0 ? null : parseCount(value)
    if (key && n !== null) out[key] = n
  }
  return out
}

export const parseCpuStat = parseMemoryStat

/** `/proc/self/cgroup`: `hierarchy-id:controllers:path` per line; v2 is the line with id 0 and no controllers. */
export function parseProcSelfCgroup(text: string): ProcSelfCgroup {
  let v2Path: string | null = null
  const v1: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (!m) continue
    const [, id, controllers, path] = m
    if (id === '0' && controllers === '') v2Path = path
    else for (const c of controllers.split(',')) if (c) v1[c] = path
  }
  return { v2Path, v1 }
}

/** cgroup v1 `memory.limit_in_bytes` (or `hierarchical_memory_limit`): null when absurdly large or above the machine. */
export function parseV1Limit(text: string, machineBytes: number): number | null {
  const n = parseCount(text)
  return n === null || n >= UNLIMITED_BYTES || n > machineBytes ? null : n
}

/** The directories from `<base><path>` up to `<base>`, deepest first. A path outside our namespace (`/..`) is just the base. */
export function cgroupAncestry(base: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) return [base]
  const trimmed = base.replace(/\/+$/, '')
  const out: string[] = []
  for (let i = parts.length; i >= 0; i--) out.push([trimmed, ...parts.slice(0, i)].join('/'))
  return out
}
