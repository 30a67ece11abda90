// The runner's view of its container: limits (ECS → cgroup → Node → OS, read once) and working-set samples.
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { systemClock, type Clock } from '../util/clock.ts'
import {
  cgroupAncestry,
  parseCount,
  parseCpuMax,
  parseCpuStat,
  parseMemoryMax,
  parseMemoryStat,
  parseProcSelfCgroup,
  parseV1CpuQuota,
  parseV1Limit,
  UNLIMITED_BYTES,
} from './cgroup-parse.ts'
import { readEcsLimits, type EcsLimits } from './ecs-metadata.ts'
import type { LimitSource, Limits, PressureSource, ResourceSample } from './types.ts'

export interface ResourceReaderDeps {
  /** '/' in production; a fixture directory in tests */
  root: string
  readFile(path: string): Promise<string>
  fetch: typeof fetch
  /** ECS_CONTAINER_METADATA_URI_V4 when on ECS (runner/config.ts reads it) */
  ecsMetadataUri: string | undefined
  clock: Clock
  constrainedMemory(): number | undefined
  totalMemBytes(): number
  freeMemBytes(): number
  cpuCount(): number
  /** each distinct failure is reported once */
  log?(msg: string): void
  /** bound on each ECS metadata request; default 2000 */
  ecsTimeoutMs?: number
  /** CPU percent is measured over at least this long; samples closer together repeat the last value. Default 250 */
  minCpuWindowMs?: number
}

export interface ResourceReader extends PressureSource {
  limits(): Promise<Limits>
  sample(): Promise<ResourceSample>
  /** re-reads the limits (ECS, cgroup, …); the next CPU percent starts a new window */
  refresh(): Promise<Limits>
}

type ReadText = (path: string) => Promise<string | null>
type Warn = (key: string, msg: string) => void

interface MemoryProbe {
  readonly source: LimitSource
  readonly limitBytes: number | null
  readUsedBytes(): Promise<number | null>
}

interface CpuProbe {
  readonly source: LimitSource
  readonly cores: number | null
  readUsageUsec(): Promise<number | null>
}

const CGROUP_MOUNT = 'sys/fs/cgroup'

async function firstValue<T>(dirs: readonly string[], read: (dir: string) => Promise<T | null>): Promise<T | null> {
  for (const dir of dirs) {
    const v = await read(dir)
    if (v !== null) return v
  }
  return null
}

/** v2: the smallest `memory.max`/`memory.high` from our cgroup up to the root; usage from the cgroup holding it. */
async function v2Memory(read: ReadText, base: string, path: string, machineBytes: number): Promise<MemoryProbe> {
  const dirs = cgroupAncestry(base, path)
  let best: { bytes: number; dir: string } | null = null
  for (const dir of dirs) {
    for (const file of ['memory.max', 'memory.high']) {
      const text = await read(`${dir}/${file}`)
      const bytes = text === null ? null : parseMemoryMax(text)
      if (bytes !== null && bytes <= machineBytes && (best === null || bytes < best.bytes)) best = { bytes, dir }
    }
  }
  const usageDirs = best ? [best.dir, ...dirs] : dirs
  return {
    source: 'cgroup-v2',
    limitBytes: best?.bytes ?? null,
    readUsedBytes: () =>
      firstValue(usageDirs, async (dir) => {
        const current = await read(`${dir}/memory.current`)
        const bytes = current === null ? null : parseCount(current)
        if (bytes === null) return null
        const stat = parseMemoryStat((await read(`${dir}/memory.stat`)) ?? '')
        return Math.max(0, bytes - (stat.inactive_file ?? 0))
      }),
  }
}

/** v1 controller directory for our path, then the controller root (a container often sees only its own cgroup). */
function v1Dirs(root: string, controller: string, path: string): string[] {
  const mount = join(root, CGROUP_MOUNT, controller)
  const own = cgroupAncestry(mount, path)[0]
  return own === mount ? [mount] : [own, mount]
}

/** v1: `memory.limit_in_bytes`, and `hierarchical_memory_limit` so that a parent's limit (Fargate's task) counts. */
async function v1Memory(read: ReadText, dirs: readonly string[], machineBytes: number): Promise<MemoryProbe> {
  const limit = await firstValue(dirs, async (dir) => {
    const text = await read(`${dir}/memory.limit_in_bytes`)
    if (text === null) return null
    const own = parseV1Limit(text, machineBytes)
    const hierarchical = parseMemoryStat((await read(`${dir}/memory.stat`)) ?? '').hierarchical_memory_limit
    const parent = hierarchical === undefined ? null : parseV1Limit(String(hierarchical), machineBytes)
    return { bytes: own === null ? parent : parent === null ? own : Math.min(own, parent) }
  })
  return {
    source: 'cgroup-v1',
    limitBytes: limit?.bytes ?? null,
    readUsedBytes: () =>
      firstValue(dirs, async (dir) => {
        const usage = await read(`${dir}/memory.usage_in_bytes`)
        const bytes = usage === null ? null : parseCount(usage)
        if (bytes === null) return null
        const stat = parseMemoryStat((await read(`${dir}/memory.stat`)) ?? '')
        return Math.max(0, bytes - (stat.total_inactive_file ?? 0))
      }),
  }
}

async function v2Cpu(read: ReadText, base: string, path: string): Promise<CpuProbe> {
  const dirs = cgroupAncestry(base, path)
  let best: { cores: number; dir: string } | null = null
  for (const dir of dirs) {
    const text = await read(`${dir}/cpu.max`)
    const quota = text === null ? null : parseCpuMax(text)
    const cores = quota && quota.quotaUs / quota.periodUs
    if (cores && (best === null || cores < best.cores)) best = { cores, dir }
  }
  const usageDirs = best ? [best.dir, ...dirs] : dirs
  return {
    source: 'cgroup-v2',
    cores: best?.cores ?? null,
    readUsageUsec: () =>
      firstValue(usageDirs, async (dir) => {
        const text = await read(`${dir}/cpu.stat`)
        return text === null ? null : (parseCpuStat(text).usage_usec ?? null)
      }),
  }
}

async function v1Cpu(read: ReadText, cpuDirs: readonly string[], acctDirs: readonly string[]): Promise<CpuProbe> {
  const quota = await firstValue(cpuDirs, async (dir) => {
    const q = await read(`${dir}/cpu.cfs_quota_us`)
    const p = q === null ? null : await read(`${dir}/cpu.cfs_period_us`)
    return q === null || p === null ? null : { parsed: parseV1CpuQuota(q, p) }
  })
  return {
    source: 'cgroup-v1',
    cores: quota?.parsed ? quota.parsed.quotaUs / quota.parsed.periodUs : null,
    readUsageUsec: () =>
      firstValue(acctDirs, async (dir) => {
        const text = await read(`${dir}/cpuacct.usage`)
        const ns = text === null ? null : parseCount(text)
        return ns === null ? null : ns / 1000
      }),
  }
}

/** v1 wherever /proc/self/cgroup names a v1 controller (hybrid hosts included), else v2. */
async function probeCgroup(deps: ResourceReaderDeps, read: ReadText): Promise<{ memory: MemoryProbe; cpu: CpuProbe }> {
  const self = parseProcSelfCgroup((await read(join(deps.root, 'proc/self/cgroup'))) ?? '')
  const base = join(deps.root, CGROUP_MOUNT)
  const v2Path = self.v2Path ?? '/'
  const machineBytes = deps.totalMemBytes()
  const memPath = self.v1.memory
  const cpuPath = self.v1.cpu
  const [memory, cpu] = await Promise.all([
    memPath === undefined
      ? v2Memory(read, base, v2Path, machineBytes)
      : v1Memory(read, v1Dirs(deps.root, 'memory', memPath), machineBytes),
    cpuPath === undefined
      ? v2Cpu(read, base, v2Path)
      : v1Cpu(read, v1Dirs(deps.root, 'cpu', cpuPath), v1Dirs(deps.root, 'cpuacct', self.v1.cpuacct ?? cpuPath)),
  ])
  return { memory, cpu }
}

async function readEcs(deps: ResourceReaderDeps, warn: Warn): Promise<EcsLimits | null> {
  const uri = deps.ecsMetadataUri
  if (!uri) return null
  try {
    return await readEcsLimits(uri, { fetch: deps.fetch, timeoutMs: deps.ecsTimeoutMs ?? 2000 })
  } catch (err) {
    warn('ecs', `resources: ECS metadata unavailable (${errorText(err)}); using the cgroup`)
    return null
  }
}

function nodeLimit(deps: ResourceReaderDeps): number | null {
  try {
    const n = deps.constrainedMemory()
    return n !== undefined && Number.isFinite(n) && n > 0 && n < UNLIMITED_BYTES && n <= deps.totalMemBytes() ? n : null
  } catch {
    return null
  }
}

interface State {
  readonly limits: Limits
  readonly memory: MemoryProbe
  readonly cpu: CpuProbe
}

async function readState(deps: ResourceReaderDeps, read: ReadText, warn: Warn): Promise<State> {
  const [ecs, cg] = await Promise.all([readEcs(deps, warn), probeCgroup(deps, read)])
  const node = nodeLimit(deps)
  const memory: [number, LimitSource] =
    ecs?.memoryBytes != null ? [ecs.memoryBytes, 'ecs']
    : cg.memory.limitBytes !== null ? [cg.memory.limitBytes, cg.memory.source]
    : node !== null ? [node, 'node']
    : [deps.totalMemBytes(), 'os']
  const cpu: [number, LimitSource] =
    ecs?.cpuCores != null ? [ecs.cpuCores, 'ecs']
    : cg.cpu.cores !== null ? [cg.cpu.cores, cg.cpu.source]
    : [deps.cpuCount(), 'os']
  const limits: Limits = {
    memoryLimitBytes: memory[0],
    memorySource: memory[1],
    cpuCores: Math.min(cpu[0], deps.cpuCount()),
    cpuSource: cpu[1],
  }
  return { limits, memory: cg.memory, cpu: cg.cpu }
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
}

export function createResourceReader(deps: ResourceReaderDeps): ResourceReader {
  const warned = new Set<string>()
  const warn: Warn = (key, msg) => {
    if (warned.has(key)) return
    warned.add(key)
    deps.log?.(msg)
  }
  // A missing file is the normal way a level says nothing; any other failure is worth one line.
  const read: ReadText = async (path) => {
    try {
      return await deps.readFile(path)
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`read ${path}`, `resources: cannot read ${path} (${errorText(err)})`)
      return null
    }
  }
  const minWindowMs = deps.minCpuWindowMs ?? 250
  let state: Promise<State> | undefined
  let cpuBase: { atMs: number; usageUsec: number } | undefined
  let lastCpuPercent: number | null = null

  const load = (): Promise<State> => {
    cpuBase = undefined
    lastCpuPercent = null
    return (state = readState(deps, read, warn))
  }

  async function usedBytes(s: State): Promise<number> {
    const cgroup = await s.memory.readUsedBytes()
    if (cgroup !== null) return cgroup
    warn('usage', 'resources: no cgroup memory usage readable; using the machine’s')
    return Math.max(0, deps.totalMemBytes() - deps.freeMemBytes())
  }

  async function cpuPercent(s: State, atMs: number): Promise<number | null> {
    const usageUsec = await s.cpu.readUsageUsec()
    if (usageUsec === null) {
      warn('cpu', 'resources: no cgroup CPU usage readable; CPU percent unknown')
      return null
    }
    if (cpuBase === undefined || usageUsec < cpuBase.usageUsec) {
      cpuBase = { atMs, usageUsec }
      return (lastCpuPercent = null)
    }
    const elapsedMs = atMs - cpuBase.atMs
    if (elapsedMs < minWindowMs) return lastCpuPercent
    lastCpuPercent = ((usageUsec - cpuBase.usageUsec) / (elapsedMs * 1000 * s.limits.cpuCores)) * 100
    cpuBase = { atMs, usageUsec }
    return lastCpuPercent
  }

  async function sample(): Promise<ResourceSample> {
    const s = await (state ?? load())
    const atMs = deps.clock.now()
    const [used, cpu] = await Promise.all([usedBytes(s), cpuPercent(s, atMs)])
    const limit = s.limits.memoryLimitBytes
    return {
      memory: { usedBytes: used, limitBytes: limit, percent: limit > 0 ? (used / limit) * 100 : 100 },
      cpu: { cores: s.limits.cpuCores, percent: cpu },
      atMs,
    }
  }

  return {
    limits: async () => (await (state ?? load())).limits,
    refresh: async () => (await load()).limits,
    async sample() {
      try {
        return await sample()
      } catch (err) {
        // Nothing above should throw; if something does, callers still get a conservative machine reading.
        warn('sample', `resources: sample failed (${errorText(err)}); using the machine’s memory`)
        const total = deps.totalMemBytes()
        const used = Math.max(0, total - deps.freeMemBytes())
        return {
          memory: { usedBytes: used, limitBytes: total, percent: total > 0 ? (used / total) * 100 : 100 },
          cpu: { cores: deps.cpuCount(), percent: null },
          atMs: deps.clock.now(),
        }
      }
    },
  }
}

export function systemResourceReader(overrides: Partial<ResourceReaderDeps> = {}): ResourceReader {
  return createResourceReader({
    root: '/',
    readFile: (path) => readFile(path, 'utf8'),
    fetch: globalThis.fetch,
    ecsMetadataUri: undefined,
    clock: systemClock,
    constrainedMemory: () => process.constrainedMemory(),
    totalMemBytes: () => os.totalmem(),
    freeMemBytes: () => os.freemem(),
    cpuCount: () => os.availableParallelism(),
    log: (msg) => console.warn(msg),
    ...overrides,
  })
}
