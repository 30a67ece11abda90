import { readdirSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'

/**
 * Pids of live processes whose environment carries `CRAWLFLEET_TEST_TAG=<tag>`. A runner started
 * with a tag passes it to every Chromium process it launches (environments are inherited), so
 * this finds orphans even after they were re-parented away from the runner.
 */
export async function processesTagged(tag: string): Promise<number[]> {
  const needle = `CRAWLFLEET_TEST_TAG=${tag}\0`
  const pids: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8')
      if (/\) Z /.test(stat)) continue // a zombie is already dead
      const environ = await readFile(`/proc/${name}/environ`, 'latin1')
      if (`${environ}\0`.includes(needle)) pids.push(Number(name))
    } catch {
      // the process ended while we looked
    }
  }
  return pids
}

export async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')
}

/** "/autogroup-42 nice 3": the scheduling group of a process's session; undefined where the kernel has none */
export function readAutogroup(pid: number | 'self'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** the nice value of each thread of a process (field 19 of /proc/<pid>/task/<tid>/stat) */
export function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

/** SIGKILLs every process left with the tag (a runner killed hard cannot close its browsers); returns their pids. */
export async function killTagged(tag: string): Promise<number[]> {
  const pids = await processesTagged(tag)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return pids
}
