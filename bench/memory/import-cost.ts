import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ROOT } from '../../scripts/build.ts'

// What each library costs a runner that loads it: a fresh node (the runner's heap flags) imports it
// alone; RSS and V8 heap (after full GCs) before and after. The runner loads the first group at
// start, the others on first use (README, "Memory").

export const AT_START = ['playwright-core', '@hono/zod-openapi', '@hono/node-server', 'pino', 'prom-client', 'ipaddr.js']
export const ON_FIRST_USE = ['linkedom', 'turndown', '@joplin/turndown-plugin-gfm', 'htmlparser2', 'xpath', 'robots-parser', 'ajv', '@aws-sdk/client-cloudwatch', '@hono/swagger-ui', 'ioredis']

export interface ImportCost {
  readonly library: string
  readonly loaded: 'at start' | 'on first use'
  readonly rssMb: number
  readonly heapMb: number
}

const PROBE = `
const settle = () => { gc(); gc(); return process.memoryUsage() }
const a = settle()
await import(process.argv[1])
const b = settle()
process.stdout.write(JSON.stringify({ rss: b.rss - a.rss, heap: b.heapUsed - a.heapUsed }))
`

async function costOf(library: string, env: Record<string, string> = {}): Promise<{ rss: number; heap: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--max-semi-space-size=2', '--input-type=module', '-e', PROBE, library], { cwd: ROOT, env: { ...process.env, ...env } })
  return JSON.parse(stdout) as { rss: number; heap: number }
}

const mb = (n: number) => Math.round((n / 1024 ** 2) * 10) / 10

/** The median of `runs` fresh processes importing `library`, with `env` added to theirs. */
async function medianCost(library: string, runs: number, env: Record<string, string> = {}): Promise<{ rssMb: number; heapMb: number }> {
  const samples: { rss: number; heap: number }[] = []
  for (let i = 0; i < runs; i++) samples.push(await costOf(library, env))
  const mid = (f: (s: { rss: number; heap: number }) => number) => samples.map(f).sort((x, y) => x - y)[Math.floor(runs / 2)]!
  return { rssMb: mb(mid((s) => s.rss)), heapMb: mb(mid((s) => s.heap)) }
}

/** The median of `runs` fresh processes per library, each with `env` (the runner's malloc settings). */
export async function importCosts(env: Record<string, string>, runs = 3): Promise<ImportCost[]> {
  const out: ImportCost[] = []
  for (const [loaded, libs] of [['at start', AT_START], ['on first use', ON_FIRST_USE]] as const) {
    for (const library of libs) out.push({ library, loaded, ...(await medianCost(library, runs, env)) })
  }
  return out
}

/** What `env` changed in `measured` (an importCosts row, measured with it): the same import without it (freed memory glibc keeps or gives back). */
export async function envEffect(measured: ImportCost, env: Record<string, string>, runs = 3): Promise<{ library: string; env: Record<string, string>; withoutRssMb: number; withRssMb: number }> {
  return { library: measured.library, env, withoutRssMb: (await medianCost(measured.library, runs)).rssMb, withRssMb: measured.rssMb }
}
