import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

// A real memory cgroup for one test: made beside (under) this process's own cgroup, limited, and
// removed whatever happens. Processes join it through `wrap()`: a shell that writes its own pid to
// cgroup.procs and then execs the command, so everything the command starts (Chromium) is inside
// from its first byte. v1 (memory controller mounted at /sys/fs/cgroup/memory) and v2 (unified).

const MOUNT = '/sys/fs/cgroup'

export interface MemoryCgroup {
  readonly dir: string
  readonly version: 1 | 2
  readonly limitBytes: number
  /** argv that runs `argv` inside the cgroup */
  wrap(argv: readonly string[]): string[]
  /** pids in the cgroup now */
  pids(): number[]
  /** OOM kills in the cgroup so far (v1 memory.oom_control, v2 memory.events `oom_kill`) */
  oomKills(): number
  /** the peak usage the kernel recorded (v1 memory.max_usage_in_bytes, v2 memory.peak), null if not kept */
  peakBytes(): number | null
  /** SIGKILLs whatever is left in it, waits until it is empty, removes it */
  remove(): Promise<void>
}

function ownCgroup(): { version: 1 | 2; path: string } {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')
  for (const line of lines) {
    const [, controllers, path] = line.split(':', 3) as [string, string, string]
    if (controllers.split(',').includes('memory')) return { version: 1, path }
  }
  const unified = lines.find((l) => l.startsWith('0::'))
  if (!unified) throw new Error(`no memory cgroup in /proc/self/cgroup:\n${lines.join('\n')}`)
  return { version: 2, path: unified.slice(3) }
}

const counter = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)

/** Needs root and a writable cgroup filesystem (CI has both); throws with the reason otherwise. */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup {
  const own = ownCgroup()
  let dir: string
  if (own.version === 1) {
    dir = join(MOUNT, 'memory', own.path, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes))
    // no swap to fall back on: the limit is the memory the runner has
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes))
  } else {
    // "no internal processes": a cgroup with processes cannot give its children the memory
    // controller unless it is the root; then the test cgroup goes beside ours, under the parent
    let parent = join(MOUNT, own.path)
    try {
      writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory')
    } catch {
      parent = dirname(parent)
      if (!readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').includes('memory')) writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory')
    }
    dir = join(parent, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'memory.max'), String(limitBytes))
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0')
  }
  const read = (file: string) => readFileSync(join(dir, file), 'utf8')
  const pids = () => read('cgroup.procs').split('\n').filter(Boolean).map(Number)
  return {
    dir,
    version: own.version,
    limitBytes,
    wrap: (argv) => ['/bin/sh', '-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$@"`, 'cgroup-join', ...argv],
    pids,
    oomKills: () => (own.version === 1 ? counter(read('memory.oom_control'), 'oom_kill') : counter(read('memory.events'), 'oom_kill')),
    peakBytes: () => {
      const file = own.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak'
      return existsSync(join(dir, file)) ? Number(read(file).trim()) : null
    },
    async remove() {
      if (!existsSync(dir)) return
      const deadline = Date.now() + 10_000
      for (let left = pids(); left.length > 0; left = pids()) {
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // gone already
          }
        }
        if (Date.now() > deadline) throw new Error(`processes ${left.join(', ')} stay in ${dir}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      // the kernel may still be tearing down the last process's memory for a moment
      for (;;) {
        try {
          rmdirSync(dir)
          return
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || Date.now() > deadline) throw err
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    },
  }
}
