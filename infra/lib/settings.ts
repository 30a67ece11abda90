// CDK context → typed settings. Every key is `crawlfleet:<name>`, given in cdk.json or as
// `-c crawlfleet:<name>=<value>`; anything not given takes the default documented here.

import type { Env } from '../../runner/contract/settings/define.ts'
import { operatorSettings, RUNNER_SETTINGS } from '../../runner/contract/settings/runner-settings.ts'

/** The runner's HTTP port: its own default (RUNNER_SETTINGS.port). */
export const RUNNER_PORT = RUNNER_SETTINGS.port.fallback

export type OriginAccess = 'origin-secret' | 'oac'

export interface Settings {
  readonly task: {
    /** Fargate CPU units. @default 2048 - the 2 vCPU the pool defaults were measured on */
    readonly cpu: number
    /** @default 4096 */
    readonly memoryMiB: number
    /** hard limit of the runner container, so its cgroup shows it. @default task memory */
    readonly containerMemoryMiB: number
    /** @default 30 - Chromium profiles, downloads and PDFs land in /tmp */
    readonly ephemeralStorageGiB: number
  }
  /** @default desired 2, min 1, max 10 */
  readonly runners: { readonly desired: number; readonly min: number; readonly max: number }
  readonly scaling: {
    /** fleet-average memory pressure that adds a runner (+2 at 15 points above). @default 70 */
    readonly scaleOutMemoryPct: number
    /** fleet-average memory pressure under which a runner is removed. @default 30 */
    readonly scaleInMemoryPct: number
    /** average queued requests per runner that adds a runner (+2 at 4×). @default 2 */
    readonly scaleOutQueueDepth: number
    /** ECS CPU utilisation target; scale-out only. @default 70 */
    readonly cpuTargetPct: number
  }
  readonly alarms: {
    /** Maximum memory pressure, 3 of 5 minutes. @default 85 */
    readonly memoryPct: number
    /** refusals per minute, every minute for 5 minutes. @default 1 */
    readonly refusalsPerMin: number
    /** browser crashes in 5 minutes. @default 5 */
    readonly crashesPer5Min: number
    /** edge Lambda errors in 5 minutes. @default 5 */
    readonly edgeErrorsPer5Min: number
    /** subscribed to the alarm topic when given. @default none */
    readonly email: string | undefined
  }
  /** runner settings given as context (operator settings of RUNNER_SETTINGS), passed as its environment; unset keys keep the runner's defaults */
  readonly runnerEnv: Readonly<Record<string, string>>
  readonly edge: {
    /** @default 512 */
    readonly memoryMiB: number
    /** @default 300 - long enough for /crawl/stream */
    readonly timeoutSec: number
  }
  readonly publicEntry: {
    /** how CloudFront proves itself to the function URL. @default 'origin-secret' (see infra/README.md) */
    readonly originAccess: OriginAccess
    /** requests per IP per 5 minutes before WAF answers 429. @default 1000 */
    readonly rateLimitPer5Min: number
    /** a CLOUDFRONT-scope WebACL (made in us-east-1); required when the stack is not in us-east-1 */
    readonly webAclArn: string | undefined
    /** custom domain; needs certificateArn (an ACM certificate in us-east-1). @default the CloudFront domain */
    readonly domainName: string | undefined
    readonly certificateArn: string | undefined
  }
  /** @default 2 - one per AZ, so losing an AZ does not cut the other off the web */
  readonly natGateways: number
  /** one of CloudWatch Logs' retention values. @default 30 */
  readonly logRetentionDays: number
  /** also the runners' metrics Service dimension, so two stages in one account stay apart. @default 'Crawlfleet' */
  readonly stackName: string
  /** build only the us-east-1 rate-limit stack (for deploying the main stack elsewhere). @default false */
  readonly rateLimitStackOnly: boolean
}

// Fargate's valid CPU → memory (MiB) ranges and steps
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number; extra?: number[] }> = {
  256: { min: 1024, max: 2048, step: 1024, extra: [512] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
}

interface ContextReader {
  tryGetContext(key: string): unknown
}

export function readSettings(node: ContextReader): Settings {
  const raw = (name: string): unknown => node.tryGetContext(`crawlfleet:${name}`)
  const str = (name: string): string | undefined => {
    const v = raw(name)
    return v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim()
  }
  const num = (name: string, fallback: number, o: { min?: number; max?: number; int?: boolean } = {}): number => {
    const s = str(name)
    if (s === undefined) return fallback
    const n = Number(s)
    const ok = Number.isFinite(n) && (!o.int || Number.isInteger(n)) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max)
    if (!ok) throw new Error(`context crawlfleet:${name} must be a${o.int ? 'n integer' : ' number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}, got "${s}"`)
    return n
  }
  const bool = (name: string): boolean => ['true', '1', 'yes'].includes(String(raw(name) ?? '').toLowerCase())

  const cpu = num('taskCpu', 2048, { int: true })
  const memoryMiB = num('taskMemoryMiB', 4096, { int: true })
  checkFargateSize(cpu, memoryMiB)
  const containerMemoryMiB = num('containerMemoryMiB', memoryMiB, { int: true, min: 512, max: memoryMiB })
  const runners = {
    desired: num('desiredRunners', 2, { int: true, min: 0 }),
    min: num('minRunners', 1, { int: true, min: 0 }),
    max: num('maxRunners', 10, { int: true, min: 1 }),
  }
  if (!(runners.min <= runners.desired && runners.desired <= runners.max)) {
    throw new Error(`context needs crawlfleet:minRunners ≤ desiredRunners ≤ maxRunners, got ${runners.min} ≤ ${runners.desired} ≤ ${runners.max}`)
  }
  const scaling = {
    scaleOutMemoryPct: num('scaleOutMemoryPct', 70, { min: 1, max: 99 }),
    scaleInMemoryPct: num('scaleInMemoryPct', 30, { min: 0, max: 98 }),
    scaleOutQueueDepth: num('scaleOutQueueDepth', 2, { min: 0.1 }),
    cpuTargetPct: num('cpuTargetPct', 70, { min: 10, max: 95 }),
  }
  if (scaling.scaleInMemoryPct >= scaling.scaleOutMemoryPct) {
    throw new Error(`context crawlfleet:scaleInMemoryPct (${scaling.scaleInMemoryPct}) must be below scaleOutMemoryPct (${scaling.scaleOutMemoryPct})`)
  }
  const originAccess = str('originAccess') ?? 'origin-secret'
  if (originAccess !== 'origin-secret' && originAccess !== 'oac') throw new Error(`context crawlfleet:originAccess must be origin-secret or oac, got "${originAccess}"`)
  const domainName = str('domainName')
  const certificateArn = str('certificateArn')
  if ((domainName === undefined) !== (certificateArn === undefined)) throw new Error('context crawlfleet:domainName and crawlfleet:certificateArn go together')

  return {
    task: { cpu, memoryMiB, containerMemoryMiB, ephemeralStorageGiB: num('ephemeralStorageGiB', 30, { int: true, min: 21, max: 200 }) },
    runners,
    scaling,
    alarms: {
      memoryPct: num('alarmMemoryPct', 85, { min: 1, max: 100 }),
      refusalsPerMin: num('alarmRefusalsPerMin', 1, { min: 1 }),
      crashesPer5Min: num('alarmCrashesPer5Min', 5, { min: 1 }),
      edgeErrorsPer5Min: num('alarmEdgeErrorsPer5Min', 5, { min: 1 }),
      email: str('alarmEmail'),
    },
    runnerEnv: readRunnerEnv(str),
    edge: { memoryMiB: num('edgeMemoryMiB', 512, { int: true, min: 128, max: 10240 }), timeoutSec: num('edgeTimeoutSec', 120, { int: true, min: 10, max: 900 }) },
    publicEntry: { originAccess, rateLimitPer5Min: num('rateLimitPer5Min', 1000, { int: true, min: 10 }), webAclArn: str('webAclArn'), domainName, certificateArn },
    natGateways: num('natGateways', 2, { int: true, min: 1, max: 2 }),
    logRetentionDays: retention(num('logRetentionDays', 30, { int: true })),
    stackName: stackName(str('stackName') ?? 'Crawlfleet'),
    rateLimitStackOnly: bool('rateLimitStack'),
  }
}

/** Runner settings given as context (`crawlfleet:<key>`, a key of RUNNER_SETTINGS marked `operator`), checked by the runner's own parser. */
function readRunnerEnv(str: (name: string) => string | undefined): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, setting] of operatorSettings()) {
    const v = str(key)
    if (v === undefined) continue
    // checked here so a typo fails the synth, not a rolling deploy of crash-looping tasks
    try {
      setting.parse(v)
    } catch (err) {
      throw new Error(`context crawlfleet:${key} (${setting.env}) must be ${(err as Error).message}, got "${v}"`)
    }
    env[setting.env] = v
  }
  return env
}

/** Where to deploy: the account and region the CDK CLI found, us-east-1 when it found none (synth offline). */
export function deployTarget(env: Env): { account: string | undefined; region: string } {
  return { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION ?? 'us-east-1' }
}

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

function retention(days: number): number {
  if (!RETENTION_DAYS.includes(days)) throw new Error(`context crawlfleet:logRetentionDays must be one of ${RETENTION_DAYS.join(', ')}, got ${days}`)
  return days
}

function stackName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(name)) throw new Error(`context crawlfleet:stackName must be letters, digits and hyphens starting with a letter, got "${name}"`)
  return name
}

function checkFargateSize(cpu: number, memoryMiB: number): void {
  const size = FARGATE_SIZES[cpu]
  if (!size) throw new Error(`context crawlfleet:taskCpu must be one of ${Object.keys(FARGATE_SIZES).join(', ')}, got ${cpu}`)
  const fits = size.extra?.includes(memoryMiB) || (memoryMiB >= size.min && memoryMiB <= size.max && (memoryMiB - size.min) % size.step === 0)
  if (!fits) throw new Error(`context crawlfleet:taskMemoryMiB ${memoryMiB} is not a Fargate size for ${cpu} CPU units (${size.min}..${size.max} in steps of ${size.step})`)
}
