// `npx tsx bench/md-vs-html.ts [--flag=value …]`: what Markdown conversion adds to a request, in one run.
// A fixture site and one runner process on loopback. After a warm-up, POST /md (fit, the default
// filter) and POST /html of the same article page alternate one at a time, the order inside each
// pair drawn at random so neither side always follows the other. Both render the page in Chromium
// the same way; /md then turns the HTML into fit Markdown on the runner. Also timed, in this
// process: fit conversion of that page's rendered HTML alone, the CPU part of the difference.
// Target: median(/md) ≤ 1.2 × median(/html).
// Prints one JSON report on stdout; progress on stderr. The machine is shared and noisy: read the
// medians and the ratio, not single requests.
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { fitMarkdown } from '../runner/content/index.ts'
import { prng } from './lib/zipf.ts'
import { startFixtureSite } from '../tests/helpers/fixture-site.ts'
import { startRunnerProcess } from '../tests/helpers/start-runner.ts'

export const DEFAULTS = {
  /** timed pairs (one /md, one /html) */
  n: 40,
  /** untimed pairs first: browser, spares and JIT warm */
  warmup: 5,
  /** in-process fit conversions of the page's HTML */
  conversions: 200,
  page: '/content/article.html',
  seed: 1,
  targetRatio: 1.2,
}
type Flags = typeof DEFAULTS

function readFlags(argv: readonly string[]): Flags {
  const out: Record<string, number | string> = { ...DEFAULTS }
  for (const a of argv) {
    const m = /^--(\w+)=(.*)$/.exec(a)
    if (!m || !(m[1]! in DEFAULTS)) throw new Error(`unknown argument "${a}"; flags: ${Object.keys(DEFAULTS).map((k) => `--${k}=`).join(' ')}`)
    const d = DEFAULTS[m[1] as keyof Flags]
    out[m[1]!] = typeof d === 'number' ? Number(m[2]) : m[2]!
    if (typeof d === 'number' && !(Number(m[2]) >= 0)) throw new Error(`--${m[1]} must be a number ≥ 0, got "${m[2]}"`)
  }
  return out as Flags
}

const progress = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

/** nearest-rank quantile */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const summary = (ms: readonly number[]) => ({ n: ms.length, median_ms: round(quantile(ms, 0.5)), p90_ms: round(quantile(ms, 0.9)), min_ms: round(Math.min(...ms)), max_ms: round(Math.max(...ms)) })


export async function mdVsHtml(argv: readonly string[]): Promise<object> {
  const flags = readFlags(argv)
  const site = await startFixtureSite()
  const runner = await startRunnerProcess({ CRAWLFLEET_LOG_LEVEL: 'warn' })
  const url = `${site.url}${flags.page}`
  try {
    progress(`runner ${runner.url}, page ${url}`)
    type Kind = 'md' | 'html'
    const call = async (kind: Kind): Promise<{ ms: number; body: Record<string, unknown> }> => {
      const started = performance.now()
      const res = await fetch(`${runner.url}/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(kind === 'md' ? { url, f: 'fit' } : { url }),
      })
      const body = (await res.json()) as Record<string, unknown>
      const ms = performance.now() - started
      if (res.status !== 200) throw new Error(`/${kind} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`)
      return { ms, body }
    }

    // a check that both answers are what they claim, so a fast error cannot pass for a fast page
    const md = (await call('md')).body.markdown as string
    const html = (await call('html')).body.html as string
    if (!md || md.includes('<') || !html.includes('<html')) throw new Error('unexpected answers: /md must be Markdown and /html HTML')

    const random = prng(flags.seed)
    const times: Record<Kind, number[]> = { md: [], html: [] }
    const pairRatios: number[] = []
    for (let i = 0; i < flags.warmup + flags.n; i++) {
      const order: Kind[] = random() < 0.5 ? ['md', 'html'] : ['html', 'md']
      const pair = {} as Record<Kind, number>
      for (const kind of order) pair[kind] = (await call(kind)).ms
      if (i < flags.warmup) continue
      times.md.push(pair.md)
      times.html.push(pair.html)
      pairRatios.push(pair.md / pair.html)
      if ((i - flags.warmup + 1) % 10 === 0) progress(`${i - flags.warmup + 1}/${flags.n} pairs`)
    }

    // the conversion alone, on the same rendered HTML, in this process
    for (let i = 0; i < 10; i++) fitMarkdown(html, url)
    const conversion: number[] = []
    for (let i = 0; i < flags.conversions; i++) {
      const started = performance.now()
      fitMarkdown(html, url)
      conversion.push(performance.now() - started)
    }

    const mdSummary = summary(times.md)
    const htmlSummary = summary(times.html)
    const ratio = quantile(times.md, 0.5) / quantile(times.html, 0.5)
    const report = {
      scenario: 'md-vs-html',
      page: flags.page,
      page_html_chars: html.length,
      markdown_chars: md.length,
      params: flags,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg_1m: round(loadavg()[0]!, 2), note: 'shared and noisy' },
      md_fit: mdSummary,
      html: htmlSummary,
      ratio_of_medians: round(ratio, 3),
      median_of_pair_ratios: round(quantile(pairRatios, 0.5), 3),
      md_minus_html_median_ms: round(mdSummary.median_ms - htmlSummary.median_ms),
      fit_conversion_in_process: { ...summary(conversion), median_ms: round(quantile(conversion, 0.5), 2), p90_ms: round(quantile(conversion, 0.9), 2) },
      target_ratio: flags.targetRatio,
      meets_target: ratio <= flags.targetRatio,
    }
    return report
  } finally {
    await runner.stop()
    await site.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await mdVsHtml(process.argv.slice(2)), null, 2)}\n`)
}
