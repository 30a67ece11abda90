import { readdir, readFile, writeFile } from 'node:fs/promises'
import { setPriority } from 'node:os'
import { processTreeMemoryBytes } from '../resources/process-memory.ts'

// Process bookkeeping from /proc, so a hung or crashed Chromium never outlives the runner.

export interface ProcStat {
  readonly pid: number
  readonly ppid: number
  readonly pgrp: number
}

/** Parses /proc/<pid>/stat. The command name sits in parentheses and may hold spaces or ')', so fields are read after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const pid = Number(text.slice(0, open).trim())
  const [, ppid, pgrp] = text.slice(close + 2).split(' ') // state ppid pgrp …
  const stat = { pid, ppid: Number(ppid), pgrp: Number(pgrp) }
  return Number.isInteger(stat.pid) && Number.isInteger(stat.ppid) && Number.isInteger(stat.pgrp) ? stat : undefined
}

/** Every descendant of `root` (children, grandchildren, …), from a list of (pid, ppid) pairs. */
export function descendantsOf(root: number, stats: readonly ProcStat[]): number[] {
  const children = new Map<number, number[]>()
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid])
  const found = new Set<number>()
  const visit = [root]
  for (let pid = visit.pop(); pid !== undefined; pid = visit.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (found.has(child) || child === root) continue
      found.add(child)
      visit.push(child)
    }
  }
  return [...found]
}

export async function listProcesses(procRoot = '/proc'): Promise<ProcStat[]> {
  const stats: ProcStat[] = []
  for (const name of await readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue
    const text = await readFile(`${procRoot}/${name}/stat`, 'utf8').catch(() => undefined) // gone since readdir
    const stat = text === undefined ? undefined : parseProcStat(text)
    if (stat) stats.push(stat)
  }
  return stats
}

/** `pid` followed by all its descendants. */
export async function listProcessTree(pid: number, procRoot = '/proc'): Promise<number[]> {
  return [pid, ...descendantsOf(pid, await listProcesses(procRoot))]
}

export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat | undefined> {
  const text = await readFile(`${procRoot}/${pid}/stat`, 'utf8').catch(() => undefined)
  return text === undefined ? undefined : parseProcStat(text)
}

/** A process's arguments; [] when it is gone. */
export async function readCommandLine(pid: number, procRoot = '/proc'): Promise<string[]> {
  const cmdline = await readFile(`${procRoot}/${pid}/cmdline`, 'utf8').catch(() => '')
  return cmdline.split('\0').filter((a) => a !== '')
}

/** The pid whose command line holds `arg` exactly (a unique marker passed at launch). */
export async function findPidByArg(arg: string, procRoot = '/proc'): Promise<number | undefined> {
  for (const name of await readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue
    const cmdline = await readFile(`${procRoot}/${name}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').includes(arg)) return Number(name)
  }
  return undefined
}

/**
 * SIGKILLs `pid` and every descendant. The whole tree is listed before the first kill, because a
 * killed parent's children are re-parented and could no longer be found by ppid. With `group`, the
 * process group `pid` leads is killed as well: it also reaches children already orphaned by a crash.
 */
export async function killTree(pid: number, opts: { group?: boolean; procRoot?: string } = {}): Promise<number[]> {
  const pids = await listProcessTree(pid, opts.procRoot)
  for (const p of pids) sendKill(p)
  if (opts.group) sendKill(-pid)
  return pids
}

/** Proportional set size of `pid` and its descendants: each shared page counted once across processes. */
export async function treePssBytes(pid: number, procRoot = '/proc'): Promise<number> {
  const root = procRoot.replace(/\/?proc\/?$/, '') || '/'
  return processTreeMemoryBytes(await listProcessTree(pid, procRoot), { root, readFile: (path) => readFile(path, 'utf8') })
}

/**
 * Sets the nice value of every thread of `pid` and its descendants (Linux nice is per thread, and a
 * process forked later inherits its forker's: renderers forked by a reniced zygote start reniced).
 * Where the kernel groups each session for scheduling (autogroup: processes in the root CPU cgroup,
 * as on this development machine, not in a container), nice only orders threads within a group, and
 * a browser Playwright spawns detached is a session of its own: so the nice of the tree's own
 * autogroup is set too, never of ours. Threads that are gone or not ours are skipped. Resolves with
 * the number of threads changed.
 */
export async function reniceTree(pid: number, nice: number, procRoot = '/proc'): Promise<number> {
  let changed = 0
  const pids = await listProcessTree(pid, procRoot)
  for (const p of pids) {
    for (const tid of await readdir(`${procRoot}/${p}/task`).catch(() => [] as string[])) {
      try {
        setPriority(Number(tid), nice)
        changed++
      } catch {
        // gone since the listing, or not ours
      }
    }
  }
  const own = await autogroupOf('self', procRoot)
  const groups = new Map<string, number>()
  for (const p of pids) {
    const group = await autogroupOf(String(p), procRoot)
    if (group !== undefined && group !== own && !groups.has(group)) groups.set(group, p)
  }
  for (const p of groups.values()) await writeFile(`${procRoot}/${p}/autogroup`, String(nice)).catch(() => undefined)
  return changed
}

/** "/autogroup-42" from /proc/<pid>/autogroup ("/autogroup-42 nice 0"); undefined without autogroup */
async function autogroupOf(pid: string, procRoot: string): Promise<string | undefined> {
  const text = await readFile(`${procRoot}/${pid}/autogroup`, 'utf8').catch(() => undefined)
  return text?.split(' ')[0]
}

function sendKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch (err) {
    // ESRCH: already gone. EPERM: the pid now belongs to someone else's process, so not ours to kill.
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ESRCH' && code !== 'EPERM') throw err
  }
}
