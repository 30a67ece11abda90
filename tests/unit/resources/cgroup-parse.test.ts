import { describe, expect, it } from 'vitest'
import {
  cgroupAncestry,
  parseCount,
  parseCpuMax,
  parseMemoryMax,
  parseMemoryStat,
  parseProcSelfCgroup,
  parseV1CpuQuota,
  parseV1Limit,
} from '../../../runner/resources/cgroup-parse.ts'

const GiB = 1024 ** 3

describe('parseMemoryMax', () => {
  it('reads bytes, with the trailing newline the kernel writes', () => {
    expect(parseMemoryMax('2147483648\n')).toBe(2 * GiB)
    expect(parseMemoryMax('0')).toBe(0)
  })
  it('treats max as no limit at this level', () => {
    expect(parseMemoryMax('max\n')).toBeNull()
  })
  it('refuses anything that is not a plain count', () => {
    for (const text of ['', '  ', '-1', '12k', '1.5', '12 34', 'maximum']) expect(parseMemoryMax(text)).toBeNull()
  })
})

describe('parseCount', () => {
  it('reads a counter and refuses the rest', () => {
    expect(parseCount('108234027895\n')).toBe(108234027895)
    expect(parseCount('nope')).toBeNull()
  })
})

describe('parseCpuMax', () => {
  it('reads quota and period', () => {
    expect(parseCpuMax('200000 100000\n')).toEqual({ quotaUs: 200000, periodUs: 100000 })
    expect(parseCpuMax('50000 100000')).toEqual({ quotaUs: 50000, periodUs: 100000 })
  })
  it('defaults the period when only the quota is given', () => {
    expect(parseCpuMax('150000')).toEqual({ quotaUs: 150000, periodUs: 100000 })
  })
  it('treats max as no quota, and garbage as nothing', () => {
    expect(parseCpuMax('max 100000\n')).toBeNull()
    expect(parseCpuMax('max')).toBeNull()
    expect(parseCpuMax('0 100000')).toBeNull()
    expect(parseCpuMax('100000 0')).toBeNull()
    expect(parseCpuMax('1 2 3')).toBeNull()
    expect(parseCpuMax('')).toBeNull()
  })
})

describe('parseV1CpuQuota', () => {
  it('reads quota over period, -1 meaning none', () => {
    expect(parseV1CpuQuota('150000\n', '100000\n')).toEqual({ quotaUs: 150000, periodUs: 100000 })
    expect(parseV1CpuQuota('-1\n', '100000\n')).toBeNull()
    expect(parseV1CpuQuota('150000', 'x')).toBeNull()
  })
})

describe('parseMemoryStat', () => {
  it('reads key value lines and skips what does not parse', () => {
    const stat = parseMemoryStat('anon 1024\ninactive_file 4096\n\nbogus\nweird 1 2\nneg -5\ntotal_inactive_file 9\n')
    expect(stat).toEqual({ anon: 1024, inactive_file: 4096, total_inactive_file: 9 })
  })
})

describe('parseProcSelfCgroup', () => {
  it('reads the unified line of a v2 host', () => {
    expect(parseProcSelfCgroup('0::/kubepods/pod1/ctr\n')).toEqual({ v2Path: '/kubepods/pod1/ctr', v1: {} })
  })
  it('maps every v1 controller of a line, including combined ones, next to the unified line of a hybrid host', () => {
    const parsed = parseProcSelfCgroup(
      '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n0::/system.slice/x\n',
    )
    expect(parsed.v2Path).toBe('/system.slice/x')
    expect(parsed.v1).toEqual({
      memory: '/docker/abc',
      cpu: '/docker/abc',
      cpuacct: '/docker/abc',
      'name=systemd': '/docker/abc',
    })
  })
  it('keeps colons inside the path and ignores junk', () => {
    expect(parseProcSelfCgroup('0::/a:b\nnot a line\n')).toEqual({ v2Path: '/a:b', v1: {} })
    expect(parseProcSelfCgroup('')).toEqual({ v2Path: null, v1: {} })
  })
})

describe('parseV1Limit', () => {
  const machine = 16 * GiB
  it('reads a real limit', () => {
    expect(parseV1Limit('1073741824\n', machine)).toBe(GiB)
  })
  it('treats the page-rounded 2^63 and anything above the machine as none', () => {
    expect(parseV1Limit('9223372036854771712\n', machine)).toBeNull()
    expect(parseV1Limit(String(2 ** 60), 2 ** 62)).toBeNull()
    expect(parseV1Limit(String(17 * GiB), machine)).toBeNull()
    expect(parseV1Limit(String(16 * GiB), machine)).toBe(16 * GiB)
    expect(parseV1Limit('-1', machine)).toBeNull()
  })
})

describe('cgroupAncestry', () => {
  it('lists our cgroup and each parent up to the mount, deepest first', () => {
    expect(cgroupAncestry('/r/sys/fs/cgroup', '/a/b')).toEqual(['/r/sys/fs/cgroup/a/b', '/r/sys/fs/cgroup/a', '/r/sys/fs/cgroup'])
    expect(cgroupAncestry('/sys/fs/cgroup/', '/')).toEqual(['/sys/fs/cgroup'])
  })
  it('never leaves the mount for a path outside our namespace', () => {
    expect(cgroupAncestry('/sys/fs/cgroup', '/../../x')).toEqual(['/sys/fs/cgroup'])
  })
})
