import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { cdkJsonContext } from '../../infra/lib/crawlfleet-app.ts'

// infra/bin/app.ts run the way `cdk synth` runs it (CDK_OUTDIR set), with no AWS credentials,
// region or profile in the environment and no Docker: what `npm run synth` needs.
const repo = fileURLToPath(new URL('../../', import.meta.url))
const outdirs: string[] = []
// a synth is a fresh Node process that bundles the edge and runs cdk-nag: ~20 s alone, minutes on a machine other tests keep busy
const SYNTH_TIMEOUT_MS = 240_000
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function synth(context: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'crawlfleet-synth-'))
  outdirs.push(outdir)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|CDK_)/.test(k)))
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/bin/app.ts'], {
    cwd: repo,
    // what the CLI hands the app: cdk.json's context (the feature flags) merged with -c values
    env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) },
    timeout: SYNTH_TIMEOUT_MS,
  })
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'))
  return { templates, read: (f: string) => JSON.parse(readFileSync(join(outdir, f), 'utf8')) }
}

describe('infra/bin/app.ts', () => {
  it('synthesises the stack offline with cdk.json’s feature flags and cdk-nag: account-agnostic, us-east-1, edge bundled and WebACL in the stack', async () => {
    const { templates, read } = await synth()
    expect(templates).toEqual(['Crawlfleet.template.json'])
    const resources = Object.values(read('Crawlfleet.template.json').Resources) as { Type: string; Properties: Record<string, any> }[]
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')
    expect(fn?.Properties.Handler).toBe('index.handler')
    expect(resources.filter((r) => r.Type === 'AWS::WAFv2::WebACL')).toHaveLength(1)
    expect(JSON.stringify(resources)).toContain('"Ref":"AWS::AccountId"')
  }, SYNTH_TIMEOUT_MS + 10_000)

  it('builds only the us-east-1 rate-limit stack when asked', async () => {
    const { templates, read } = await synth({ 'crawlfleet:rateLimitStack': 'true', 'crawlfleet:rateLimitPer5Min': '200' })
    expect(templates).toEqual(['CrawlfleetRateLimit.template.json'])
    const template = read('CrawlfleetRateLimit.template.json')
    expect(Object.values(template.Resources).map((r) => (r as { Type: string }).Type).sort()).toEqual(['AWS::Logs::LogGroup', 'AWS::WAFv2::LoggingConfiguration', 'AWS::WAFv2::WebACL'])
    expect(JSON.stringify(template)).toContain('"Limit":200')
  }, SYNTH_TIMEOUT_MS + 10_000)
})
