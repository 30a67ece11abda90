import { access, mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Machine } from './machine.ts'

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url))

export interface Report {
  readonly scenario: string
  readonly date: string
  readonly machine: Machine
  readonly params: object
  readonly durationSec: number
  readonly notes: readonly string[]
  readonly [key: string]: unknown
}

/**
 * Prints the JSON report and its Markdown, and saves both as bench/results/<date>-<scenario>.json|md
 * (<date>-<scenario>-2 … when that day already has one: an earlier run is never overwritten).
 */
export async function publish(report: Report, markdown: string): Promise<{ json: string; md: string }> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const stem = `${RESULTS_DIR}${report.date.slice(0, 10)}-${report.scenario}`
  let base = stem
  for (let n = 2; await exists(`${base}.json`); n++) base = `${stem}-${n}`
  const json = `${JSON.stringify(report, null, 2)}\n`
  await writeFile(`${base}.json`, json)
  await writeFile(`${base}.md`, markdown)
  process.stdout.write(`${json}\n${markdown}\n`)
  progress(`saved ${base}.json and .md`)
  return { json: `${base}.json`, md: `${base}.md` }
}

const exists = (path: string) => access(path).then(() => true, () => false)

export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '–' : String(v))
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n')
}

export function machineLine(m: Machine): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.chromium.version}, Node ${m.node}, Playwright ${m.playwright}, ` +
    `commit ${m.commit}${m.dirty ? ' (uncommitted changes)' : ''}, load average ${m.loadAvg1m} at start`
  )
}

/** Logs progress on stderr, so stdout stays the report. */
export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}
