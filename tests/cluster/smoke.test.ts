import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch'
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { cloudDeps } from '../../edge/cloud-deps.ts'
import { readEdgeConfig } from '../../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../../edge/local-server.ts'
import { createEdgeLogger } from '../../edge/core/logger.ts'
import { noMetrics } from '../../edge/core/metrics.ts'
import { parseSmokeArgs } from '../../scripts/smoke.ts'
import { runSmoke, type SmokeOptions } from '../../scripts/smoke/checks.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { killTagged } from '../helpers/processes.ts'
import { startEdge } from '../helpers/start-edge.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// scripts/smoke.ts against the local stack built like the cloud one: a runner, the edge as the
// Lambda builds it (origin secret from a stubbed Secrets Manager), and a small proxy in front of
// it playing CloudFront (it adds the origin header). CloudFormation and CloudWatch are stubbed at
// the SDK boundary.

const KEY = 'smoke-test-key'
const HMAC = 'smoke-test-hmac'
const ORIGIN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crawlfleet-origin'
const ORIGIN = 'smoke-origin-value'
const tag = `smoke-${process.pid}-${Date.now()}`

const sm = mockClient(SecretsManagerClient)
const cfn = mockClient(CloudFormationClient)
const cw = mockClient(CloudWatchClient)
let site: FixtureSite
let runner: RunnerProcess
let edge: LocalEdge
let openEdge: LocalEdge
let cloudFront: { url: string; server: Server }

/** CloudFront, as far as the edge can tell: every request passed on with the origin header added, the answer streamed back. */
async function startCloudFront(origin: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v)
      headers.set('x-crawlfleet-origin', ORIGIN)
      const answer = await fetch(`${origin}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) })
      res.writeHead(answer.status, Object.fromEntries(answer.headers))
      if (answer.body) Readable.fromWeb(answer.body as never).pipe(res)
      else res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

const alarm = (name: string, state: MetricAlarm['StateValue'], actions: string[], reason = ''): MetricAlarm => ({ AlarmName: name, StateValue: state, AlarmActions: actions, OKActions: actions, StateReason: reason })
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:Crawlfleet-AlarmsTopic'
const SCALING = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:resource/ecs/service/c/s:policyName/out'

beforeAll(async () => {
  sm.on(GetSecretValueCommand, { SecretId: ORIGIN_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: ORIGIN })
  sm.on(GetSecretValueCommand, { SecretId: ORIGIN_ARN, VersionStage: 'AWSPREVIOUS' }).rejects(new ResourceNotFoundException({ message: 'none', $metadata: {} }))
  site = await startFixtureSite()
  runner = await startRunnerProcess({ CRAWLFLEET_HMAC_SECRET: HMAC, CRAWLFLEET_TEST_TAG: tag }, { readyTimeoutMs: 90_000 })
  const config = readEdgeConfig({
    PORT: '0',
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_RUNNERS: runner.url,
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_API_KEYS: KEY,
    CRAWLFLEET_HMAC_SECRET: HMAC,
    CRAWLFLEET_ORIGIN_SECRET_ARN: ORIGIN_ARN,
    CRAWLFLEET_LOG_LEVEL: 'silent',
  })
  const logger = createEdgeLogger('silent')
  edge = await startLocalEdge(config, logger, cloudDeps(config, { secrets: new SecretsManagerClient({ region: 'us-east-1' }), logger, metrics: noMetrics }))
  cloudFront = await startCloudFront(edge.url)
  // an edge that checks no origin header: what a function URL left open would answer
  openEdge = await startEdge({ runners: [runner.url], apiKeys: [KEY], hmacSecret: HMAC, allowCidrs: ['127.0.0.0/8'] })
}, 180_000)

afterAll(async () => {
  await new Promise<void>((resolve) => (cloudFront?.server ? cloudFront.server.close(() => resolve()) : resolve()))
  cloudFront?.server.closeAllConnections()
  await edge?.close()
  await openEdge?.close()
  await runner?.stop('SIGTERM')
  await site?.close()
  sm.restore()
  cfn.restore()
  cw.restore()
  await killTagged(tag)
})

beforeEach(() => {
  cfn.reset()
  cw.reset()
  cfn.on(DescribeStacksCommand, { StackName: 'Crawlfleet' }).resolves({
    Stacks: [{ StackName: 'Crawlfleet', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'EdgeFunctionUrl', OutputValue: `${edge.url}/` }] }],
  })
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      alarm('Crawlfleet-AlarmsHeartbeatMissing', 'OK', [TOPIC]),
      alarm('Crawlfleet-AlarmsCloudFront5xx', 'INSUFFICIENT_DATA', [TOPIC]),
      // a scaling alarm in ALARM is the policy at work (an idle fleet's scale-in alarm), not a problem
      alarm('Crawlfleet-ScalingInAlarm', 'ALARM', [SCALING]),
    ],
  })
})

const options = (o: Partial<SmokeOptions> = {}): SmokeOptions => ({ url: cloudFront.url, apiKey: KEY, page: `${site.url}/about.html`, stack: 'Crawlfleet', timeoutMs: 60_000, ...o })
const clients = () => ({ cloudFormation: new CloudFormationClient({ region: 'us-east-1' }), cloudWatch: new CloudWatchClient({ region: 'us-east-1' }) })
const byName = (results: Awaited<ReturnType<typeof runSmoke>>) => Object.fromEntries(results.map((r) => [r.name, r]))

describe('npm run smoke (scripts/smoke.ts) against the local stack', { timeout: 180_000 }, () => {
  it('passes every check on a healthy stack: /html, a streamed /crawl/stream, a 403 straight to the function URL (found in the stack outputs), no alarm firing', async () => {
    const results = byName(await runSmoke(options(), clients()))
    expect(Object.keys(results)).toEqual(['html', 'crawl-stream', 'direct-call-refused', 'alarms'])
    for (const r of Object.values(results)) expect(r.ok, `${r.name}: ${r.detail}`).toBe(true)
    expect(results.html.detail).toMatch(/^200, \d+ characters of HTML from runner-/)
    expect(results['crawl-stream'].detail).toMatch(/^200, 2 NDJSON lines .* ended completed$/)
    expect(results['direct-call-refused'].detail).toBe(`403 NOT_VIA_ENTRY from ${new URL(edge.url).host}`)
    expect(results.alarms.detail).toBe('2 alarms, none in ALARM (1 without data yet)')
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({ AlarmNamePrefix: 'Crawlfleet-' })
  })

  it('fails each check on its own, saying what it saw', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('Crawlfleet-AlarmsNoHealthyRunner', 'ALARM', [TOPIC], 'Threshold Crossed: 2 datapoints')] })
    const results = byName(await runSmoke(options({ apiKey: 'not-a-key', functionUrl: openEdge.url }), clients()))
    expect(results.html).toMatchObject({ ok: false, detail: expect.stringMatching(/^expected 200, got 403 .*API_KEY_WRONG/) })
    expect(results['crawl-stream']).toMatchObject({ ok: false, detail: expect.stringMatching(/^expected 200, got 403/) })
    // a function URL without the origin check: a keyless direct call gets 401, not the 403 of a refused bypass
    expect(results['direct-call-refused']).toMatchObject({ ok: false, detail: expect.stringMatching(/^expected 403 from .*, got 401 .*API_KEY_MISSING/) })
    expect(results.alarms).toMatchObject({ ok: false, detail: 'in ALARM: Crawlfleet-AlarmsNoHealthyRunner (Threshold Crossed: 2 datapoints)' })
  })

  it('fails the direct call when the stack has no function URL output, and the alarms when none notifies', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Other' }).resolves({ Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] })
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] })
    const other = byName(await runSmoke(options({ stack: 'Other' }), clients()))
    expect(other['direct-call-refused']).toMatchObject({ ok: false, detail: 'stack Other has no EdgeFunctionUrl output: pass --function-url' })
    expect(other.alarms).toMatchObject({ ok: false, detail: expect.stringMatching(/no alarm of stack Other notifies SNS/) })
  })
})

describe('smoke arguments', () => {
  it('takes the URL and the key, and options with their defaults', () => {
    expect(parseSmokeArgs(['https://api.example.com', 'k'])).toEqual({
      url: 'https://api.example.com', apiKey: 'k', page: 'https://example.com/', stack: 'Crawlfleet', functionUrl: undefined, timeoutMs: 150_000, region: undefined,
    })
    expect(parseSmokeArgs(['https://a', 'k', '--stack=Stage', '--region=eu-west-1', '--function-url=https://f', '--timeout-sec=30'])).toMatchObject({ stack: 'Stage', region: 'eu-west-1', functionUrl: 'https://f', timeoutMs: 30_000 })
    expect(() => parseSmokeArgs(['https://a'])).toThrow(/usage: npm run smoke/)
    expect(() => parseSmokeArgs(['a.example.com', 'k'])).toThrow(/must start with http/)
    expect(() => parseSmokeArgs(['https://a', 'k', '--stak=x'])).toThrow(/unknown option --stak/)
  })
})
