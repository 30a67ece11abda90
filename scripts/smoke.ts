// `npm run smoke -- <url> <api key> [--stack=Crawlfleet] [--region=…] [--page=https://example.com/] [--function-url=…]`
// After a deploy: renders a page through the public URL, streams a crawl, checks that the edge's
// function URL refuses a direct call (403) and that none of the stack's alarms is in ALARM.
// Needs AWS credentials for the stack's outputs and alarms (region: --region or the usual
// AWS_REGION / profile). Prints one line a check; exits 1 if any failed.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CloudFormationClient } from '@aws-sdk/client-cloudformation'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { runSmoke, type SmokeOptions } from './smoke/checks.ts'

const USAGE = 'usage: npm run smoke -- <url> <api key> [--stack=Crawlfleet] [--region=<region>] [--page=<url>] [--function-url=<url>] [--timeout-sec=150]'

export function parseSmokeArgs(argv: readonly string[]): SmokeOptions & { region: string | undefined } {
  const flags: Record<string, string> = {}
  const positional: string[] = []
  for (const a of argv) {
    const m = /^--([\w-]+)=(.*)$/.exec(a)
    if (m) flags[m[1]!] = m[2]!
    else if (a.startsWith('--')) throw new Error(`${a} needs a value (--name=value)\n${USAGE}`)
    else positional.push(a)
  }
  const known = new Set(['stack', 'region', 'page', 'function-url', 'timeout-sec'])
  for (const k of Object.keys(flags)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`)
  const [url, apiKey] = positional
  if (!url || !apiKey || positional.length > 2) throw new Error(USAGE)
  if (!/^https?:\/\//.test(url)) throw new Error(`the URL must start with http:// or https://, got "${url}"`)
  const timeoutSec = Number(flags['timeout-sec'] ?? 150)
  if (!(timeoutSec > 0)) throw new Error(`--timeout-sec must be a positive number, got "${flags['timeout-sec']}"`)
  return {
    url,
    apiKey,
    page: flags.page ?? 'https://example.com/',
    stack: flags.stack ?? 'Crawlfleet',
    functionUrl: flags['function-url'],
    timeoutMs: timeoutSec * 1000,
    region: flags.region,
  }
}

async function main(): Promise<number> {
  const { region, ...options } = parseSmokeArgs(process.argv.slice(2))
  const aws = region ? { region } : {}
  const results = await runSmoke(options, { cloudFormation: new CloudFormationClient(aws), cloudWatch: new CloudWatchClient(aws) })
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(20)} ${r.detail} (${r.ms} ms)\n`)
  const failed = results.filter((r) => !r.ok).length
  process.stdout.write(failed ? `\n${failed} of ${results.length} checks failed\n` : `\nall ${results.length} checks passed\n`)
  return failed ? 1 : 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`)
      process.exit(2)
    },
  )
}
