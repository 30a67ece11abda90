import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch'
import { HEADER } from '../../runner/contract/http-names.ts'

// The post-deploy checks of `npm run smoke`, each answering pass or fail with what it saw. AWS is
// reached only through the clients given, so the tests stub it at the SDK boundary.

export interface SmokeOptions {
  /** the public URL (CloudFront or the custom domain) */
  readonly url: string
  readonly apiKey: string
  /** the page the API is asked to render */
  readonly page: string
  /** the stack whose outputs and alarms to read */
  readonly stack: string
  /** the edge's function URL; read from the stack's EdgeFunctionUrl output when not given */
  readonly functionUrl?: string
  readonly timeoutMs: number
}

export interface SmokeClients {
  readonly cloudFormation: Pick<CloudFormationClient, 'send'>
  readonly cloudWatch: Pick<CloudWatchClient, 'send'>
  readonly fetch?: typeof fetch
}

export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
  readonly ms: number
}

type Check = (o: SmokeOptions, c: SmokeClients) => Promise<string>

class CheckFailed extends Error {}
const fail = (detail: string): never => {
  throw new CheckFailed(detail)
}

const json = (o: SmokeOptions) => ({ authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' })
const endpoint = (base: string, path: string) => new URL(path, base.endsWith('/') ? base : `${base}/`).href

async function describe(res: Response): Promise<string> {
  const text = await res.text().catch(() => '')
  return `${res.status} ${text.slice(0, 300)}`
}

/** POST /html renders the page through the public URL. */
export const html: Check = async (o, c) => {
  const res = await (c.fetch ?? fetch)(endpoint(o.url, 'html'), { method: 'POST', headers: json(o), body: JSON.stringify({ url: o.page }), signal: AbortSignal.timeout(o.timeoutMs) })
  if (res.status !== 200) fail(`expected 200, got ${await describe(res)}`)
  const body = (await res.json()) as { success?: boolean; html?: string }
  if (body.success !== true || !body.html) fail('the answer has no html')
  return `200, ${body.html!.length} characters of HTML from ${res.headers.get(HEADER.runnerId) ?? 'a runner'}`
}

/** POST /crawl/stream streams NDJSON: a result line for the page, then the completed line. */
export const crawlStream: Check = async (o, c) => {
  const res = await (c.fetch ?? fetch)(endpoint(o.url, 'crawl/stream'), { method: 'POST', headers: json(o), body: JSON.stringify({ urls: [o.page] }), signal: AbortSignal.timeout(o.timeoutMs) })
  if (res.status !== 200) fail(`expected 200, got ${await describe(res)}`)
  if (!(res.headers.get('content-type') ?? '').includes('ndjson')) fail(`expected NDJSON, got ${res.headers.get('content-type')}`)
  const lines: unknown[] = []
  let chunks = 0
  let rest = ''
  const decoder = new TextDecoder()
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks++
    rest += decoder.decode(chunk, { stream: true })
    const parts = rest.split('\n')
    rest = parts.pop()!
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p))
  }
  if (rest.trim()) lines.push(JSON.parse(rest))
  const results = lines.filter((l): l is { url: string; success: boolean } => typeof l === 'object' && l !== null && 'url' in l)
  const end = lines.at(-1) as { status?: string; error_message?: string } | undefined
  if (results.length !== 1 || !results[0]!.success) fail(`expected one successful result line, got ${JSON.stringify(lines).slice(0, 300)}`)
  if (end?.status !== 'completed') fail(`the stream did not end with {"status":"completed"}: ${JSON.stringify(end)}`)
  return `200, ${lines.length} NDJSON lines in ${chunks} chunk${chunks === 1 ? '' : 's'}, ended completed`
}

/** Outputs of the stack, by key. */
export async function stackOutputs(o: SmokeOptions, c: SmokeClients): Promise<Record<string, string>> {
  const out = await c.cloudFormation.send(new DescribeStacksCommand({ StackName: o.stack }))
  const stack = out.Stacks?.[0]
  if (!stack) throw new Error(`no stack ${o.stack}`)
  return Object.fromEntries((stack.Outputs ?? []).flatMap((x) => (x.OutputKey && x.OutputValue ? [[x.OutputKey, x.OutputValue]] : [])))
}

/**
 * A call straight to the function URL, skipping CloudFront and its WAF, is refused with 403
 * NOT_VIA_ENTRY. It carries no API key, so only the origin check can answer 403 (an edge without
 * one would say 401).
 */
export const directCallRefused: Check = async (o, c) => {
  const functionUrl = o.functionUrl ?? (await stackOutputs(o, c)).EdgeFunctionUrl ?? fail(`stack ${o.stack} has no EdgeFunctionUrl output: pass --function-url`)
  if (new URL(functionUrl).host === new URL(o.url).host) fail('the function URL is the public URL: nothing would be proven')
  const res = await (c.fetch ?? fetch)(endpoint(functionUrl, 'html'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: o.page }),
    signal: AbortSignal.timeout(o.timeoutMs),
  })
  if (res.status !== 403) fail(`expected 403 from ${functionUrl}, got ${await describe(res)}`)
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } }
  if (body.error?.code !== 'NOT_VIA_ENTRY') fail(`expected error code NOT_VIA_ENTRY from ${functionUrl}, got ${JSON.stringify(body).slice(0, 200)}`)
  return `403 NOT_VIA_ENTRY from ${new URL(functionUrl).host}`
}

/** The stack's operator alarms (those that notify SNS, not the scaling ones): none in ALARM. */
export const alarms: Check = async (o, c) => {
  const found: MetricAlarm[] = []
  let nextToken: string | undefined
  do {
    const out = await c.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${o.stack}-`, AlarmTypes: ['MetricAlarm'], NextToken: nextToken }))
    found.push(...(out.MetricAlarms ?? []))
    nextToken = out.NextToken
  } while (nextToken)
  const notifies = (a: MetricAlarm) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? [])].some((arn) => arn.startsWith('arn:') && arn.split(':')[2] === 'sns')
  const operator = found.filter(notifies)
  if (operator.length === 0) fail(`no alarm of stack ${o.stack} notifies SNS: wrong stack or region?`)
  const firing = operator.filter((a) => a.StateValue === 'ALARM')
  if (firing.length > 0) fail(`in ALARM: ${firing.map((a) => `${a.AlarmName} (${a.StateReason ?? ''})`).join('; ')}`)
  const waiting = operator.filter((a) => a.StateValue === 'INSUFFICIENT_DATA').length
  return `${operator.length} alarms, none in ALARM${waiting ? ` (${waiting} without data yet)` : ''}`
}

export const CHECKS: readonly (readonly [string, Check])[] = [
  ['html', html],
  ['crawl-stream', crawlStream],
  ['direct-call-refused', directCallRefused],
  ['alarms', alarms],
]

/** Runs every check, each on its own: one failing does not hide the others. */
export async function runSmoke(o: SmokeOptions, c: SmokeClients): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const [name, check] of CHECKS) {
    const started = performance.now()
    try {
      const detail = await check(o, c)
      results.push({ name, ok: true, detail, ms: Math.round(performance.now() - started) })
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      const why = cause ? ` (${cause.code ?? cause.message})` : ''
      const detail = err instanceof CheckFailed ? err.message : `${(err as Error).name}: ${(err as Error).message}${why}`
      results.push({ name, ok: false, detail, ms: Math.round(performance.now() - started) })
    }
  }
  return results
}
