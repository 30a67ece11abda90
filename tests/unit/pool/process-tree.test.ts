import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { descendantsOf, findPidByArg, killTree, listProcesses, parseProcStat, reniceTree, treePssBytes } from '../../../runner/browser/process-tree.ts'
import { NICED_EXEC } from '../../../runner/browser/launcher-playwright.ts'
import { isOnPath } from '../../../runner/browser/find-chromium.ts'
import { readAutogroup } from '../../helpers/processes.ts'

describe('parseProcStat', () => {
  it('reads pid, ppid and pgrp after the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat('4242 (chrome) S 4200 4242 4242 0 -1')).toEqual({ pid: 4242, ppid: 4200, pgrp: 4242 })
    expect(parseProcStat('77 (we) ird (name) R 1 77 77 0')).toEqual({ pid: 77, ppid: 1, pgrp: 77 })
  })

  it('gives up on text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined()
    expect(parseProcStat('12 (x) S')).toBeUndefined()
  })
})

describe('descendantsOf', () => {
  it('finds children and grandchildren but not siblings or the parent', () => {
    const stats = [
      { pid: 1, ppid: 0, pgrp: 1 },
      { pid: 10, ppid: 1, pgrp: 10 },
      { pid: 11, ppid: 10, pgrp: 10 },
      { pid: 12, ppid: 10, pgrp: 10 },
      { pid: 13, ppid: 12, pgrp: 10 },
      { pid: 20, ppid: 1, pgrp: 20 },
    ]
    expect(descendantsOf(10, stats).sort()).toEqual([11, 12, 13])
    expect(descendantsOf(13, stats)).toEqual([])
  })
})

describe('on real processes', () => {
  it('finds a process by its marker arg, measures its tree and kills all of it', async () => {
    const marker = `--marker-${process.pid}-${Date.now()}`
    // a shell with two children: the kill must reach them too, not just the shell
    const sh = spawn('sh', ['-c', 'sleep 30 & sleep 30 & echo ready; wait', marker], { stdio: ['ignore', 'pipe', 'ignore'] })
    const exited = once(sh, 'exit')
    await once(sh.stdout, 'data') // both sleeps are forked before the echo
    const shPid = sh.pid as number
    const children = descendantsOf(shPid, await listProcesses())
    expect(children).toHaveLength(2)
    expect(await findPidByArg(marker)).toBe(shPid)
    expect(await treePssBytes(shPid)).toBeGreaterThan(0)

    const killed = await killTree(shPid)
    expect(killed.sort()).toEqual([shPid, ...children].sort())
    const [, signal] = await exited
    expect(signal).toBe('SIGKILL')
    // the children are not ours to wait for: each is gone, a zombie, or has SIGKILL pending
    expect(children.filter((pid) => !isDoomed(pid))).toEqual([])
  })

  it('renices every process of a tree, and a child forked after that starts reniced', async () => {
    // the shell forks one sleep, then waits for a line before forking the second: a zygote forking a renderer later
    const sh = spawn('sh', ['-c', 'sleep 30 & echo one; read line; sleep 30 & echo two; wait'], { stdio: ['pipe', 'pipe', 'ignore'] })
    try {
      await once(sh.stdout, 'data')
      const shPid = sh.pid as number
      const before = descendantsOf(shPid, await listProcesses())
      expect(before).toHaveLength(1)
      expect(await reniceTree(shPid, 7)).toBeGreaterThanOrEqual(2)
      sh.stdin.write('go\n')
      await once(sh.stdout, 'data')
      const all = [shPid, ...descendantsOf(shPid, await listProcesses())]
      expect(all).toHaveLength(3)
      expect(all.map((pid) => getPriority(pid))).toEqual([7, 7, 7])
    } finally {
      await killTree(sh.pid as number)
    }
  })

  it("sets the nice of a detached tree's own scheduling group where the kernel has one, and never of ours", async () => {
    const ownBefore = readAutogroup('self')
    // detached: a session of its own, as Playwright spawns Chromium
    const sh = spawn('sh', ['-c', 'sleep 30 & echo ready; wait'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true })
    try {
      await once(sh.stdout, 'data')
      const shPid = sh.pid as number
      await reniceTree(shPid, 5)
      expect(readAutogroup('self')).toEqual(ownBefore)
      // without autogroup (CONFIG_SCHED_AUTOGROUP off) there is no file, and thread nice is all there is
      if (ownBefore !== undefined) expect(readAutogroup(shPid)).toMatch(/ nice 5$/)
    } finally {
      await killTree(sh.pid as number, { group: true })
    }
  })
})

describe('isOnPath (whether the launcher can leave the capability drop to niced-exec.sh)', () => {
  it('finds an executable in a directory of the PATH, and not a file that is not executable nor one in no listed directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crawlfleet-path-'))
    try {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n')
      chmodSync(join(dir, 'tool'), 0o755)
      writeFileSync(join(dir, 'plain'), 'data')
      expect(isOnPath('tool', `/nonexistent::${dir}`)).toBe(true)
      expect(isOnPath('plain', dir)).toBe(false)
      expect(isOnPath('tool', '/nonexistent')).toBe(false)
      expect(isOnPath('tool', undefined)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('niced-exec.sh', () => {
  it('execs the executable with its arguments at the nice, its session group (where the kernel has one) included', async () => {
    const want = Math.min(19, getPriority() + 4)
    // detached, as Playwright spawns the browser: the script runs in a session (and group) of its own
    const child = spawn(NICED_EXEC, ['-e', "process.stdout.write(JSON.stringify({ pid: process.pid, nice: require('node:os').getPriority(), group: require('node:fs').readFileSync('/proc/self/autogroup', 'utf8').trim() }))"], {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { CRAWLFLEET_BROWSER_EXECUTABLE: process.execPath, CRAWLFLEET_BROWSER_NICE: String(want), CRAWLFLEET_BROWSER_NICE_BY: String(want - getPriority()) },
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    const seen = JSON.parse(out) as { pid: number; nice: number; group: string }
    expect(seen.pid).toBe(child.pid) // exec'd: the pid Playwright knows is the browser's
    expect(seen.nice).toBe(want)
    if (readAutogroup('self') !== undefined) {
      expect(seen.group).toMatch(new RegExp(` nice ${want}$`))
      expect(readAutogroup('self')).not.toBe(seen.group)
    }
  })
})

function isDoomed(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    if (/^State:\s+[ZX]/m.test(status)) return true
    const SIGKILL_BIT = 1n << 8n // signal 9 is bit 8 of the pending masks
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s+([0-9a-f]+)$/gm)].map((m) => BigInt(`0x${m[1]}`))
    return pending.some((mask) => (mask & SIGKILL_BIT) !== 0n)
  } catch {
    return true // already gone
  }
}
