import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseProcKbField, processMemoryBytes, processTreeMemoryBytes } from '../../../runner/resources/process-memory.ts'

const KiB = 1024
const MiB = 1024 * KiB
const fixtureRoot = fileURLToPath(new URL('../../fixtures/cgroup/procs/', import.meta.url))
const deps = { root: fixtureRoot, readFile: (p: string) => readFile(p, 'utf8') }

describe('parseProcKbField', () => {
  it('reads a kB field in bytes from smaps_rollup and status layouts', () => {
    expect(parseProcKbField('Rss:   81920 kB\nPss:   51200 kB\nPss_Anon:  1 kB\n', 'Pss')).toBe(51200 * KiB)
    expect(parseProcKbField('Name:\tchrome\nVmRSS:\t   20480 kB\n', 'VmRSS')).toBe(20480 * KiB)
  })
  it('does not mistake a longer field for the one asked for, and says null when absent', () => {
    expect(parseProcKbField('Pss_Anon:  7 kB\n', 'Pss')).toBeNull()
    expect(parseProcKbField('', 'Pss')).toBeNull()
  })
})

describe('processTreeMemoryBytes', () => {
  it('sums PSS, falls back to VmRSS per pid, and counts a vanished pid as 0', async () => {
    expect(await processMemoryBytes(100, deps)).toBe(50 * MiB) // PSS, not the 80 MiB RSS
    expect(await processMemoryBytes(200, deps)).toBe(20 * MiB) // no smaps_rollup
    expect(await processMemoryBytes(300, deps)).toBe(1 * MiB) // smaps_rollup without Pss
    expect(await processMemoryBytes(400, deps)).toBe(0) // gone
    expect(await processTreeMemoryBytes([100, 200, 300, 400], deps)).toBe(71 * MiB)
  })
  it('counts a pid listed twice once, and an empty tree as 0', async () => {
    expect(await processTreeMemoryBytes([100, 100, 200], deps)).toBe(70 * MiB)
    expect(await processTreeMemoryBytes([], deps)).toBe(0)
  })
  it('gives a plausible size for this very process from the real /proc', async () => {
    const bytes = await processTreeMemoryBytes([process.pid], { root: '/', readFile: (p) => readFile(p, 'utf8') })
    expect(bytes).toBeGreaterThan(4 * MiB)
    expect(bytes).toBeLessThan(os.totalmem())
  })
})
