// `npm run bench -- extraction`: issue 16's bench. The public article-extraction benchmark (181
// saved pages, hand-checked article bodies, its own evaluate.py) served on loopback, every page
// through a real runner: POST /md (f=fit) and POST /html of the same page, one at a time, the
// order inside each pair drawn at random. Scored, in the same run and on the same rendered pages:
//   crawlfleet_text      /md's `text` (the main content's plain text)
//   crawlfleet_markdown  /md's `markdown`, as a reader gets it (title line, link URLs and all)
//   readability_rendered Mozilla Readability alone on /html's rendered DOM (the baseline)
//   crawlfleet_no_signals the same extractor on /html's HTML, which carries no rendered-page signals
// Times: /md − /html per page (the pass in the page, the extraction, the Markdown, against /html's
// larger answer), and in this process the fit conversion (parse, extract, Markdown, text) and
// Readability alone on the same HTML.
// Prints one JSON report and a Markdown table; saves both in bench/results/. The machine is shared:
// read the time figures as medians over many pages, not single requests.
import { performance } from 'node:perf_hooks'
import { Readability } from '@mozilla/readability'
import { fitContent } from '../runner/content/index.ts'
import { parse } from '../runner/content/extract/dom.ts'
import { toPlainText } from '../runner/content/extract/text.ts'
import { parseHtml } from '../runner/content/parse-html.ts'
import { startRunnerProcess } from '../tests/helpers/start-runner.ts'
import { languageGroup, pageF1, scoresOf, scoreWithEvaluatePy, splitOf, type PageCounts, type Predictions, type Scores } from './lib/article-score.ts'
import { readGroundTruth, startCorpusSite } from './lib/corpus-site-https.ts'
import { postJson } from './lib/http.ts'
import { describeMachine } from './lib/machine.ts'
import { readParams, type Args } from './lib/params.ts'
import { machineLine, progress, publish, table } from './lib/report.ts'
import { mean, median, quantile, round } from './lib/stats.ts'
import { prng } from './lib/zipf.ts'

export const DEFAULTS = {
  /** pages to run, in id order (0 = all 181) */
  pages: 0,
  /** evaluate.py --n-bootstrap */
  bootstrap: 1000,
  /** also POST /html of each page: the time baseline and Readability's input */
  html: true,
  waitUntil: 'domcontentloaded',
  pageTimeoutMs: 30_000,
  seed: 1,
  /** java_script_enabled of every request: false renders the saved HTML as it is, without the pages' scripts */
  js: true,
  /** pages in flight at once (each page's /md and /html stay one after the other); 1 for the cleanest times */
  concurrency: 1,
  /**
   * 2: each page's /md and /html run twice in mirrored order (md html html md, or the reverse), and its
   * time difference is the mean of each endpoint's two: a page's load-to-load variance (scripts racing
   * unreachable hosts with JavaScript on) and any drift between the two calls cancel out. 1: once each
   */
  timingRounds: 2,
}

const MAIN = 'crawlfleet_text'
const BASELINE = 'readability_rendered'
const NAMES = [MAIN, 'crawlfleet_markdown', BASELINE, 'crawlfleet_no_signals'] as const

interface Call {
  readonly status: number
  readonly ms: number
  readonly body: Record<string, unknown>
}

function readabilityText(html: string, url: string): string {
  const article = new Readability(parseHtml(html, url).document).parse()
  return article?.content ? toPlainText(parse(article.content).children) : ''
}

const errorOf = (c: Call) => (c.status === 200 ? null : `${c.status} ${String((c.body.error as { code?: string } | undefined)?.code ?? c.body.error ?? '')}`.trim())

export async function extraction(args: Args): Promise<void> {
  const p = readParams(args, DEFAULTS)
  const started = performance.now()
  const machine = await describeMachine()
  const truth = await readGroundTruth()
  const site = await startCorpusSite()
  const runner = await startRunnerProcess({ CRAWLFLEET_LOG_LEVEL: 'warn' }, { readyTimeoutMs: 120_000 })
  const ids = p.pages > 0 ? site.ids.slice(0, p.pages) : site.ids
  const predictions = Object.fromEntries(NAMES.map((n) => [n, {} as Predictions])) as Record<(typeof NAMES)[number], Predictions>
  const failures: { id: string; endpoint: string; error: string }[] = []
  const pairs: { id: string; md: number; html: number }[] = []
  const readabilityMs: number[] = []
  const fitMs: number[] = []
  const transportRetries: { endpoint: string; error: string }[] = []
  const random = prng(p.seed)
  try {
    progress(`runner ${runner.url}, corpus ${site.url}, ${ids.length} pages`)
    const options = { wait_until: p.waitUntil, page_timeout: p.pageTimeoutMs, java_script_enabled: p.js, browser_config: { type: 'BrowserConfig', params: { ignore_https_errors: true } } }
    // a connection the runner closed as it went idle fails the request before it is sent: such a
    // transport failure (status 0) is sent again once, and counted
    const call = async (endpoint: 'md' | 'html', url: string): Promise<Call> => {
      const first = await callOnce(endpoint, url)
      if (first.status !== 0) return first
      transportRetries.push({ endpoint: `/${endpoint}`, error: String(first.body.error) })
      return callOnce(endpoint, url)
    }
    const callOnce = async (endpoint: 'md' | 'html', url: string): Promise<Call> => {
      const t0 = performance.now()
      try {
        const res = await postJson(`${runner.url}/${endpoint}`, { url, ...options, ...(endpoint === 'md' ? { f: 'fit' } : {}) })
        const ms = performance.now() - t0
        let body: Record<string, unknown> = {}
        try {
          body = JSON.parse(res.body) as Record<string, unknown>
        } catch {
          body = { error: res.body.slice(0, 200) }
        }
        return { status: res.status, ms, body }
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause
        return { status: 0, ms: performance.now() - t0, body: { error: `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}` } }
      }
    }
    let next = 0
    let done = 0
    const one = async (id: string) => {
      const url = site.pageUrl(id)
      const once: ('md' | 'html')[] = !p.html ? ['md'] : random() < 0.5 ? ['md', 'html'] : ['html', 'md']
      const order = p.timingRounds >= 2 && p.html ? [...once, ...[...once].reverse()] : once
      // the first answer of each endpoint is the one scored; every answer's time counts
      const got: Partial<Record<'md' | 'html', Call>> = {}
      const times: Record<'md' | 'html', number[]> = { md: [], html: [] }
      let allServed = true
      for (const e of order) {
        const answer = await call(e, url)
        got[e] ??= answer
        times[e].push(answer.ms)
        allServed &&= answer.status === 200
      }
      const md = got.md!
      const truthUrl = truth[id]!.url
      const put = (name: (typeof NAMES)[number], text: string) => void (predictions[name][id] = { articleBody: text, url: truthUrl })
      if (errorOf(md)) failures.push({ id, endpoint: '/md', error: errorOf(md)! })
      put(MAIN, md.status === 200 ? String(md.body.text ?? '') : '')
      put('crawlfleet_markdown', md.status === 200 ? String(md.body.markdown ?? '') : '')
      const html = got.html
      if (html && errorOf(html)) failures.push({ id, endpoint: '/html', error: errorOf(html)! })
      const rendered = html?.status === 200 ? String(html.body.html ?? '') : ''
      const t0 = performance.now()
      put(BASELINE, rendered ? readabilityText(rendered, url) : '')
      if (rendered) readabilityMs.push(performance.now() - t0)
      const t1 = performance.now()
      put('crawlfleet_no_signals', rendered ? fitContent(rendered, url).text : '')
      if (rendered) fitMs.push(performance.now() - t1)
      if (html && allServed) pairs.push({ id, md: mean(times.md), html: mean(times.html) })
      if (++done % 20 === 0) progress(`${done}/${ids.length} pages, ${failures.length} failed requests`)
    }
    const worker = async () => {
      while (next < ids.length) await one(ids[next++]!)
    }
    await Promise.all(Array.from({ length: Math.max(1, p.concurrency) }, worker))
  } finally {
    await runner.stop()
    await site.close()
  }

  // a partial run is scored on its own pages: the ground truth is cut to them
  const partial = ids.length < site.ids.length
  const scored = await scoreWithEvaluatePy(predictions, { bootstrap: p.bootstrap, ...(partial ? { subset: ids } : {}) })
  const groups: Record<string, string[]> = {}
  for (const id of ids) {
    for (const g of [await languageGroup(id), splitOf(id)]) (groups[g] ??= []).push(id)
  }
  const groupScores = (name: string) =>
    Object.fromEntries(Object.entries(groups).map(([g, members]) => [g, { pages: members.length, ...fixed(scoresOf(members.map((id) => scored.perPage[name]![id]!))) }]))
  const byGroup = Object.fromEntries(NAMES.map((n) => [n, groupScores(n)]))
  const belowBaseline = Object.keys(groups).filter((g) => byGroup[MAIN]![g]!.f1 < byGroup[BASELINE]![g]!.f1 - 0.01)
  const overhead = pairs.map((x) => x.md - x.html)
  const report = {
    scenario: 'extraction',
    date: new Date().toISOString(),
    machine,
    params: p,
    durationSec: Math.round((performance.now() - started) / 1000),
    notes: [
      'F1, precision and recall are evaluate.py\'s (mean precision and recall over pages, F1 of the means); ± is its bootstrap standard deviation',
      'groups: the language of each page\'s own saved HTML (english, other-latin, non-latin) and a dev/held-out split by page id fixed before tuning',
      'the pages\' third-party hosts are unreachable here: their stylesheets, scripts and images never load, for /md and /html alike',
    ],
    pages: ids.length,
    failed_requests: failures,
    transport_failures_sent_again: transportRetries,
    scores: Object.fromEntries(Object.entries(scored.overall).map(([n, s]) => [n, fixed(s)])),
    // what the extraction did where the page was served: pages whose /md or /html failed left out
    scores_where_both_requests_succeeded: (() => {
      const failed = new Set(failures.map((f) => f.id))
      const ok = ids.filter((id) => !failed.has(id))
      return { pages: ok.length, ...Object.fromEntries(NAMES.map((n) => [n, fixed(scoresOf(ok.map((id) => scored.perPage[n]![id]!)))])) }
    })(),
    by_group: byGroup,
    groups_below_readability_by_more_than_0_01: belowBaseline,
    time: {
      pairs: pairs.length,
      md_median_ms: round(median(pairs.map((x) => x.md))),
      html_median_ms: round(median(pairs.map((x) => x.html))),
      md_minus_html_median_ms: round(median(overhead)),
      md_minus_html_p90_ms: round(quantile(overhead, 0.9)),
      readability_alone_in_process_median_ms: round(median(readabilityMs)),
      fit_in_process_median_ms: round(median(fitMs)),
      fit_in_process_p90_ms: round(quantile(fitMs, 0.9)),
    },
    worst: worstPages(ids, scored.perPage, predictions, truth, groups),
    per_page_f1: Object.fromEntries(ids.map((id) => [id.slice(0, 12), { [MAIN]: round(pageF1(scored.perPage[MAIN]![id]!), 3), [BASELINE]: round(pageF1(scored.perPage[BASELINE]![id]!), 3) }])),
    evaluate_py: scored.table,
  }
  await publish(report, markdownOf(report))
}

function fixed(s: Scores): Scores {
  const r = (n: number | undefined) => (n === undefined ? undefined : round(n, 4))
  return { f1: r(s.f1)!, precision: r(s.precision)!, recall: r(s.recall)!, ...(s.f1_std !== undefined ? { f1_std: r(s.f1_std), precision_std: r(s.precision_std), recall_std: r(s.recall_std) } : {}) }
}

function worstPages(ids: readonly string[], perPage: Record<string, PageCounts>, predictions: Record<string, Predictions>, truth: Record<string, { articleBody: string; url: string }>, groups: Record<string, string[]>) {
  const groupOf = (id: string) => Object.entries(groups).find(([g, m]) => !['dev', 'held-out'].includes(g) && m.includes(id))?.[0]
  return [...ids]
    .sort((a, b) => pageF1(perPage[MAIN]![a]!) - pageF1(perPage[MAIN]![b]!))
    .slice(0, 10)
    .map((id) => {
      const [tp, fp, fn] = perPage[MAIN]![id]!
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0
      const recall = tp + fn > 0 ? tp / (tp + fn) : 0
      const got = predictions[MAIN]![id]!.articleBody.length
      const want = truth[id]!.articleBody.length
      const sizes = `${got} characters out, ${want} in the ground truth`
      const why =
        got === 0
          ? 'no text: the request failed or the page rendered without the article'
          : recall < 0.8 && precision >= 0.8
            ? `missed part of the article (${sizes})`
            : precision < 0.8 && recall >= 0.8
              ? `kept text around the article (${sizes})`
              : recall < 0.8
                ? `mostly other text than the article (${sizes})`
                : `differs at the edges (${sizes})`
      return { id: id.slice(0, 12), url: truth[id]!.url, group: groupOf(id), f1: round(pageF1(perPage[MAIN]![id]!), 3), precision: round(precision, 3), recall: round(recall, 3), readability_f1: round(pageF1(perPage[BASELINE]![id]!), 3), why }
    })
}

function markdownOf(r: { machine: Parameters<typeof machineLine>[0]; pages: number; failed_requests: unknown[]; scores_where_both_requests_succeeded: { pages: number } & Record<string, Scores | number>; scores: Record<string, Scores>; by_group: Record<string, Record<string, Scores & { pages: number }>>; time: Record<string, number>; worst: ReturnType<typeof worstPages>; groups_below_readability_by_more_than_0_01: string[] }): string {
  const pct = (s: Scores, k: 'f1' | 'precision' | 'recall') => `${s[k].toFixed(3)}${s[`${k}_std`] !== undefined ? ` ± ${s[`${k}_std`]!.toFixed(3)}` : ''}`
  const groupNames = Object.keys(r.by_group[MAIN] ?? {})
  return [
    '# extraction (issue 16)',
    '',
    machineLine(r.machine),
    '',
    `${r.pages} pages through a runner's /md (f=fit); ${r.failed_requests.length} failed requests (${[...new Set(r.failed_requests.map((f) => (f as { error: string }).error))].join(', ') || 'none'}).`,
    '',
    table(['prediction', 'F1', 'precision', 'recall'], Object.entries(r.scores).map(([n, s]) => [n, pct(s, 'f1'), pct(s, 'precision'), pct(s, 'recall')])),
    '',
    `On the ${r.scores_where_both_requests_succeeded.pages} pages where both requests succeeded: ${NAMES.map((n) => `${n} F1 ${(r.scores_where_both_requests_succeeded[n] as Scores).f1.toFixed(3)}`).join(', ')}.`,
    '',
    table(
      ['group', 'pages', 'F1 crawlfleet_text', 'F1 readability_rendered', 'P / R crawlfleet_text', 'P / R readability_rendered'],
      groupNames.map((g) => {
        const a = r.by_group[MAIN]![g]!
        const b = r.by_group[BASELINE]![g]!
        return [g, a.pages, a.f1.toFixed(3), b.f1.toFixed(3), `${a.precision.toFixed(3)} / ${a.recall.toFixed(3)}`, `${b.precision.toFixed(3)} / ${b.recall.toFixed(3)}`]
      }),
    ),
    '',
    `Groups where crawlfleet_text is below Readability by more than 0.01: ${r.groups_below_readability_by_more_than_0_01.join(', ') || 'none'}.`,
    '',
    table(['time', 'ms'], Object.entries(r.time).map(([k, v]) => [k, v])),
    '',
    table(['page', 'url', 'F1', 'P', 'R', 'Readability F1', 'why'], r.worst.map((w) => [w.id, w.url, w.f1, w.precision, w.recall, w.readability_f1, w.why])),
    '',
  ].join('\n')
}
