// `npm run bench [-- <scenario>] [--param=value …]`: runs one scenario, prints its JSON report and
// Markdown table, and saves both in bench/results/. Not part of `npm test`.
import { parseArgs, type Args } from './lib/params.ts'
import { DEFAULTS as PW_DEFAULTS, runnerVsPlaywright } from './runner-vs-playwright.ts'
import { DEFAULTS as STAGED_DEFAULTS, staged } from './staged.ts'
import { DEFAULTS as EDGE_DEFAULTS, edgeOverhead } from './edge-overhead.ts'
import { DEFAULTS as ROUTING_DEFAULTS, routingSim } from './routing-sim.ts'
import { DEFAULTS as MD_DEFAULTS, mdVsHtml } from './md-vs-html.ts'
import { DEFAULTS as COLD_DEFAULTS, edgeColdStart } from './edge-cold-start.ts'
import { DEFAULTS as SCALING_DEFAULTS, scalingSim } from './scaling-sim.ts'
import { DEFAULTS as REAL_DEFAULTS, realPages } from './real-pages.ts'
import { DEFAULTS as EXTRACTION_DEFAULTS, extraction } from './extraction.ts'
import { DEFAULTS as C4A_DEFAULTS, crawl4aiContent } from './crawl4ai-content.ts'
import { DEFAULTS as LOAD_DEFAULTS, loadBench } from './load.ts'
import { DEFAULTS as MEMORY_DEFAULTS, memory } from './memory.ts'
import { describeMachine } from './lib/machine.ts'
import { publish } from './lib/report.ts'

/** Scenarios that return one JSON object: saved like the others, with the machine and the date. */
function jsonScenario(name: string, fn: (argv: readonly string[]) => Promise<object>) {
  return async (args: Args) => {
    const started = performance.now()
    const result = await fn(Object.entries(args).map(([k, v]) => `--${k}=${v}`))
    const report = { scenario: name, date: new Date().toISOString(), machine: await describeMachine(), params: args, durationSec: Math.round((performance.now() - started) / 1000), notes: [], result }
    await publish(report, `# ${name}\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`\n`)
  }
}

const SCENARIOS: Record<string, { run: (args: Args) => Promise<void>; defaults: object; about: string }> = {
  'runner-vs-playwright': { run: runnerVsPlaywright, defaults: PW_DEFAULTS, about: '/html via a runner vs raw Playwright vs a launch per request, at c=1, 4, 32 (default)' },
  staged: { run: staged, defaults: STAGED_DEFAULTS, about: 'nine stages against the local stack (or one runner): health, footprint, reuse, load, variants, endpoints, recovery, leak waves, a Zipf mix; memory as PSS' },
  memory: { run: memory, defaults: MEMORY_DEFAULTS, about: 'the built runner: library costs, idle footprint, leak waves after forced GC (slopes with CIs), a heap diff, recovery past the TTLs, a variant flood in a memory cgroup' },
  'edge-overhead': { run: jsonScenario('edge-overhead', edgeOverhead), defaults: EDGE_DEFAULTS, about: 'edge + runner vs the runner alone on loopback (real and stub runner)' },
  'routing-sim': { run: jsonScenario('routing-sim', routingSim), defaults: ROUTING_DEFAULTS, about: 'routing decision time, signatures moved by losing a runner, two-choice balance; a Lambda fleet (--mode=lambda, --mode=lambda-discovery)' },
  'md-vs-html': { run: jsonScenario('md-vs-html', mdVsHtml), defaults: MD_DEFAULTS, about: '/md (fit) vs /html on the same page' },
  'scaling-sim': { run: scalingSim, defaults: SCALING_DEFAULTS, about: 'the synthesised scaling policy played on a load trace: scale events, oscillation, queue wait' },
  'edge-cold-start': { run: jsonScenario('edge-cold-start', edgeColdStart), defaults: COLD_DEFAULTS, about: 'the Lambda bundle: size, import time against the SDK clients alone, import + first request' },
  'real-pages': { run: realPages, defaults: REAL_DEFAULTS, about: 'the 181 real corpus pages, runner /html (and through the edge) vs raw Playwright, c=1 and 4' },
  extraction: { run: extraction, defaults: EXTRACTION_DEFAULTS, about: "/md's main content on the 181-page article-extraction benchmark (../shared/corpus), scored by its evaluate.py next to Readability on the same rendered pages" },
  load: { run: loadBench, defaults: LOAD_DEFAULTS, about: 'one runner under bursts (32 × 192, crawl4ai test_4 levels, 500 clients retrying after Retry-After) vs raw Playwright' },
  'crawl4ai-content': { run: jsonScenario('crawl4ai-content', crawl4aiContent), defaults: C4A_DEFAULTS, about: "CPU of crawl4ai's result shape (pageContent) vs the previous /crawl content (analysePage), corpus pages, in process" },
}

const { scenario = 'runner-vs-playwright', args } = parseArgs(process.argv.slice(2))
const help = () => {
  process.stdout.write('npm run bench -- <scenario> [--param=value …]\n\n')
  for (const [name, s] of Object.entries(SCENARIOS)) process.stdout.write(`${name}: ${s.about}\n  defaults: ${JSON.stringify(s.defaults)}\n`)
}
if (scenario === 'help' || args.help) {
  help()
  process.exit(0)
}
const chosen = SCENARIOS[scenario]
if (!chosen) {
  process.stderr.write(`unknown scenario "${scenario}"\n\n`)
  help()
  process.exit(2)
}
await chosen.run(args)
// fetch keeps idle keep-alive sockets open; the report is out, so leave now
process.exit(0)
