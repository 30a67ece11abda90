import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'
import { findChromium, isExecutableFile } from '../../runner/browser/find-chromium.ts'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Machine {
  readonly cores: number
  readonly cpuModel: string
  readonly memoryGb: number
  readonly chromium: { readonly path: string; readonly version: string }
  readonly node: string
  readonly playwright: string
  readonly commit: string
  /** uncommitted changes in the tree when the bench ran */
  readonly dirty: boolean
  /** 1-minute load average at the start: above the core count, other work competed for the CPU */
  readonly loadAvg1m: number
}

export function chromiumPath(): string {
  return findChromium({ configured: process.env.CRAWLFLEET_CHROMIUM_PATH, playwrightPath: () => chromium.executablePath(), isExecutable: isExecutableFile })
}

export async function describeMachine(): Promise<Machine> {
  const path = chromiumPath()
  const version = await run(path, ['--version']).then((r) => r.stdout.trim(), () => 'unknown')
  const commit = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).then((r) => r.stdout.trim(), () => 'unknown')
  const dirty = await run('git', ['status', '--porcelain'], { cwd: ROOT }).then((r) => r.stdout.trim() !== '', () => false)
  const pkg = JSON.parse(await readFile(`${ROOT}node_modules/playwright-core/package.json`, 'utf8')) as { version: string }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    chromium: { path, version },
    node: process.version,
    playwright: pkg.version,
    commit,
    dirty,
    loadAvg1m: Math.round(loadavg()[0]! * 100) / 100,
  }
}
