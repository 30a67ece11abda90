import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  createResourceReader,
  systemResourceReader,
  type ResourceReaderDeps,
} from '../../../runner/resources/resource-reader.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'

const MiB = 1024 ** 2
const GiB = 1024 ** 3
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/cgroup/${name}/`, import.meta.url))
const readText = (p: string) => readFile(p, 'utf8')

function fixtureDeps(name: string, over: Partial<ResourceReaderDeps> = {}): ResourceReaderDeps & { logs: string[] } {
  const logs: string[] = []
  return {
    root: fixture(name),
    readFile: readText,
    fetch: () => Promise.reject(new Error('no network in this test')),
    ecsMetadataUri: undefined,
    clock: new FakeClock(),
    constrainedMemory: () => 2 ** 64, // what Node says when unlimited
    totalMemBytes: () => 16 * GiB,
    freeMemBytes: () => 10 * GiB,
    cpuCount: () => 4,
    log: (msg) => logs.push(msg),
    logs,
    ...over,
  }
}

/** reads the fixture, except that files whose path ends with a key are answered from the map */
function withOverrides(files: Record<string, string | Error>): (p: string) => Promise<string> {
  return async (p) => {
    const hit = Object.keys(files).find((suffix) => p.endsWith(suffix))
    if (hit === undefined) return readText(p)
    const v = files[hit]
    if (v instanceof Error) throw v
    return v
  }
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code })

describe('limits from cgroup v1', () => {
  it('reads memory.limit_in_bytes and the CFS quota in our own controller directories', async () => {
    const r = createResourceReader(fixtureDeps('v1-limit'))
    expect(await r.limits()).toEqual({ memoryLimitBytes: GiB, memorySource: 'cgroup-v1', cpuCores: 1.5, cpuSource: 'cgroup-v1' })
    const s = await r.sample()
    // usage_in_bytes 512 MiB − total_inactive_file 128 MiB, from our directory, not the controller root's 10 GiB
    expect(s.memory).toEqual({ usedBytes: 384 * MiB, limitBytes: GiB, percent: 37.5 })
    expect(s.cpu).toEqual({ cores: 1.5, percent: null })
  })

  it('treats a huge limit and quota -1 as none, falling through to Node then the OS, with usage from the controller root', async () => {
    const viaNode = createResourceReader(fixtureDeps('v1-unlimited', { constrainedMemory: () => 6 * GiB }))
    expect(await viaNode.limits()).toEqual({ memoryLimitBytes: 6 * GiB, memorySource: 'node', cpuCores: 4, cpuSource: 'os' })
    const viaOs = createResourceReader(fixtureDeps('v1-unlimited'))
    expect(await viaOs.limits()).toMatchObject({ memoryLimitBytes: 16 * GiB, memorySource: 'os' })
    // 3 GiB usage − 1 GiB inactive file; the machine's 6 GiB in use is not what this container uses
    expect((await viaOs.sample()).memory).toEqual({ usedBytes: 2 * GiB, limitBytes: 16 * GiB, percent: 12.5 })
  })

  it('sees a Fargate task limit that only shows as hierarchical_memory_limit', async () => {
    const r = createResourceReader(fixtureDeps('fargate-v1'))
    expect(await r.limits()).toEqual({ memoryLimitBytes: 4 * GiB, memorySource: 'cgroup-v1', cpuCores: 4, cpuSource: 'os' })
    expect((await r.sample()).memory).toEqual({ usedBytes: GiB, limitBytes: 4 * GiB, percent: 25 })
  })
})

describe('limits from cgroup v2', () => {
  it('reads memory.max and cpu.max', async () => {
    const r = createResourceReader(fixtureDeps('v2-max'))
    expect(await r.limits()).toEqual({ memoryLimitBytes: 2 * GiB, memorySource: 'cgroup-v2', cpuCores: 2, cpuSource: 'cgroup-v2' })
    // memory.current 1 GiB − inactive_file 256 MiB
    expect((await r.sample()).memory).toEqual({ usedBytes: 768 * MiB, limitBytes: 2 * GiB, percent: 37.5 })
  })

  it('takes memory.high when it is below memory.max', async () => {
    const r = createResourceReader(fixtureDeps('v2-high'))
    expect(await r.limits()).toMatchObject({ memoryLimitBytes: 3 * GiB, memorySource: 'cgroup-v2' })
  })

  it('walks up to the parent that holds the smallest limit and reads usage there', async () => {
    const r = createResourceReader(fixtureDeps('v2-nested'))
    expect(await r.limits()).toEqual({ memoryLimitBytes: GiB, memorySource: 'cgroup-v2', cpuCores: 0.5, cpuSource: 'cgroup-v2' })
    // the pod's 600 MiB − 88 MiB inactive, not the container's own 100 MiB
    expect((await r.sample()).memory).toEqual({ usedBytes: 512 * MiB, limitBytes: GiB, percent: 50 })
  })

  it('with max everywhere falls through to constrainedMemory, then to totalmem', async () => {
    const cases: [number | undefined, number, string][] = [
      [5 * GiB, 5 * GiB, 'node'],
      [2 ** 64, 16 * GiB, 'os'],
      [0, 16 * GiB, 'os'],
      [undefined, 16 * GiB, 'os'],
      [32 * GiB, 16 * GiB, 'os'], // more than the machine has
    ]
    for (const [constrained, bytes, source] of cases) {
      const r = createResourceReader(fixtureDeps('v2-unlimited', { constrainedMemory: () => constrained }))
      expect(await r.limits()).toEqual({ memoryLimitBytes: bytes, memorySource: source, cpuCores: 4, cpuSource: 'os' })
    }
    const s = await createResourceReader(fixtureDeps('v2-unlimited')).sample()
    expect(s.memory.usedBytes).toBe(GiB)
  })

  it('never reports more cores than the machine has', async () => {
    const r = createResourceReader(fixtureDeps('v2-max', { cpuCount: () => 1 }))
    expect(await r.limits()).toMatchObject({ cpuCores: 1, cpuSource: 'cgroup-v2' })
  })
})

describe('missing and unreadable files', () => {
  it('say nothing: limits fall through and usage comes from the machine, reported once, never thrown', async () => {
    for (const root of ['missing', 'does-not-exist']) {
      const deps = fixtureDeps(root)
      const r = createResourceReader(deps)
      expect(await r.limits()).toEqual({ memoryLimitBytes: 16 * GiB, memorySource: 'os', cpuCores: 4, cpuSource: 'os' })
      const first = await r.sample()
      await r.sample()
      expect(first.memory).toEqual({ usedBytes: 6 * GiB, limitBytes: 16 * GiB, percent: 37.5 })
      expect(first.cpu.percent).toBeNull()
      expect(deps.logs.filter((l) => l.includes('memory usage'))).toHaveLength(1)
      expect(deps.logs.filter((l) => l.includes('CPU usage'))).toHaveLength(1)
    }
  })

  it('an unreadable limit file is that level saying nothing, logged once with its path', async () => {
    const deps = fixtureDeps('v2-max', { readFile: withOverrides({ '/memory.max': errno('EACCES') }) })
    const r = createResourceReader(deps)
    expect(await r.limits()).toMatchObject({ memoryLimitBytes: 16 * GiB, memorySource: 'os', cpuSource: 'cgroup-v2' })
    await r.refresh()
    await r.sample()
    const about = deps.logs.filter((l) => l.includes('memory.max'))
    expect(about).toHaveLength(1)
    expect(about[0]).toContain('EACCES')
  })

  it('an unreadable usage file falls back to the machine without throwing, whatever the error is', async () => {
    const deps = fixtureDeps('v2-max', {
      readFile: withOverrides({ '/memory.current': errno('EIO'), '/cpu.stat': errno('EISDIR') }),
    })
    const r = createResourceReader(deps)
    const s = await r.sample()
    expect(s.memory).toEqual({ usedBytes: 6 * GiB, limitBytes: 2 * GiB, percent: 300 })
    expect(s.cpu.percent).toBeNull()
    await r.sample()
    expect(deps.logs.filter((l) => l.includes('memory.current'))).toHaveLength(1)
    expect(deps.logs.filter((l) => l.includes('cpu.stat'))).toHaveLength(1)
  })

  it('a missing file is normal and not logged', async () => {
    const deps = fixtureDeps('v2-high') // no cpu.max, no cpu.stat
    const r = createResourceReader(deps)
    await r.limits()
    expect(deps.logs.filter((l) => l.includes('cannot read'))).toEqual([])
  })
})

describe('CPU percent', () => {
  it('v2: usage_usec delta over elapsed × cores; null on the first sample', async () => {
    let usageUsec = 1_000_000
    const clock = new FakeClock()
    const r = createResourceReader(
      fixtureDeps('v2-max', { clock, readFile: (p) => (p.endsWith('/cpu.stat') ? Promise.resolve(`usage_usec ${usageUsec}\n`) : readText(p)) }),
    )
    expect((await r.sample()).cpu).toEqual({ cores: 2, percent: null })
    await clock.advance(1000)
    usageUsec += 500_000 // half a core for a second, of 2 cores
    expect((await r.sample()).cpu).toEqual({ cores: 2, percent: 25 })
    await clock.advance(2000)
    usageUsec += 3_600_000
    const s = await r.sample()
    expect(s.cpu.percent).toBe(90)
    expect(s.atMs).toBe(clock.now())
  })

  it('v1: cpuacct.usage nanoseconds over elapsed × the CFS quota', async () => {
    let usageNs = 5_000_000_000
    const clock = new FakeClock()
    const r = createResourceReader(
      fixtureDeps('v1-limit', { clock, readFile: (p) => (p.endsWith('/cpuacct.usage') ? Promise.resolve(`${usageNs}\n`) : readText(p)) }),
    )
    expect((await r.sample()).cpu.percent).toBeNull()
    await clock.advance(2000)
    usageNs += 1_500_000_000 // 1.5 s of CPU in 2 s with 1.5 cores
    expect((await r.sample()).cpu).toEqual({ cores: 1.5, percent: 50 })
  })

  it('repeats the last value for samples closer than the window, and restarts when the counter goes back', async () => {
    let usageUsec = 0
    const clock = new FakeClock()
    const r = createResourceReader(
      fixtureDeps('v2-max', { clock, readFile: (p) => (p.endsWith('/cpu.stat') ? Promise.resolve(`usage_usec ${usageUsec}\n`) : readText(p)) }),
    )
    await r.sample()
    await clock.advance(1000)
    usageUsec = 1_000_000
    expect((await r.sample()).cpu.percent).toBe(50)
    await clock.advance(10)
    usageUsec = 1_020_000 // 20 ms of CPU in 10 ms would read 100 %: too short a window to mean anything
    expect((await r.sample()).cpu.percent).toBe(50)
    await clock.advance(990)
    usageUsec = 1_200_000 // 200 ms over the 1000 ms since the last real baseline
    expect((await r.sample()).cpu.percent).toBe(10)
    usageUsec = 5 // a new cgroup (counter reset)
    await clock.advance(1000)
    expect((await r.sample()).cpu.percent).toBeNull()
  })
})

describe('caching', () => {
  it('reads limits once; refresh() reads them again', async () => {
    let cpuMax = '200000 100000\n'
    let reads = 0
    const r = createResourceReader(
      fixtureDeps('v2-max', {
        readFile: (p) => {
          if (p.endsWith('/cpu.max')) {
            reads++
            return Promise.resolve(cpuMax)
          }
          return readText(p)
        },
      }),
    )
    expect((await r.limits()).cpuCores).toBe(2)
    cpuMax = '100000 100000\n'
    await Promise.all([r.limits(), r.sample(), r.limits()])
    expect((await r.limits()).cpuCores).toBe(2)
    expect(reads).toBe(1)
    expect((await r.refresh()).cpuCores).toBe(1)
    expect((await r.sample()).cpu.cores).toBe(1)
  })
})

describe('systemResourceReader', () => {
  it('samples this machine with plausible numbers', async () => {
    const logs: string[] = []
    const r = systemResourceReader({ log: (m) => logs.push(m) })
    const limits = await r.limits()
    const s = await r.sample()
    expect(limits.memoryLimitBytes).toBeGreaterThan(64 * MiB)
    expect(limits.cpuCores).toBeGreaterThan(0)
    expect(s.memory.limitBytes).toBe(limits.memoryLimitBytes)
    expect(s.memory.usedBytes).toBeGreaterThan(0)
    expect(s.memory.percent).toBeCloseTo((s.memory.usedBytes / s.memory.limitBytes) * 100, 6)
    expect(s.cpu.percent).toBeNull()
  })
})
