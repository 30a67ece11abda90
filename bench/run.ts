// `npm run bench [-- <scenario>] [--param=value …]`: runs one scenario, prints its JSON report and
// Markdown table, and saves both in bench/results/. Not part of `npm test`.
import { parseArgs, type Args } from './lib/params.ts'
import { DEFAULTS as PW_DEFAULTS, runnerVsPlaywright } from './runner-vs-playwright.ts'
import { DEFAULTS as STAGED_DEFAULTS, staged } from './staged.ts'

const SCENARIOS: Record<string, { run: (args: Args) => Promise<void>; defaults: object; about: string }> = {
  'runner-vs-playwright': { run: runnerVsPlaywright, defaults: PW_DEFAULTS, about: "issue 2: /html via a runner vs raw Playwright vs a launch per request, at c=1, 4, 32 (default)" },
  staged: { run: staged, defaults: STAGED_DEFAULTS, about: "issue 6: the 9 stages against the local stack (or one runner), memory as PSS" },
}

const { scenario = 'runner-vs-playwright', args } = parseArgs(process.argv.slice(2))
if (scenario === 'help' || args.help) {
  for (const [name, s] of Object.entries(SCENARIOS)) process.stdout.write(`${name}: ${s.about}\n  defaults: ${JSON.stringify(s.defaults)}\n`)
  process.exit(0)
}
const chosen = SCENARIOS[scenario]
if (!chosen) throw new Error(`unknown scenario "${scenario}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
await chosen.run(args)
// fetch keeps idle keep-alive sockets open; the report is out, so leave now
process.exit(0)
