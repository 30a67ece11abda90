// CDK context → typed settings. Every key is `crawlfleet:<name>`, given in cdk.json or as
// `-c crawlfleet:<name>=<value>`; anything not given takes the default documented here.

import type { Env } from '../../runner/contract/settings/define.ts'
import { operatorSettings, RUNNER_SETTINGS } from '../../runner/contract/settings/runner-settings.ts'

/** The runner's HTTP port: its own default (RUNNER_SETTINGS.port). */
export const RUNNER_PORT = RUNNER_SETTINGS.port.fallback

/** How runners reach the web: through NAT gateways from private subnets, or from public subnets with public IPs and no NAT. */
export type Egress = 'nat' | 'public'

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
  /** @default min 1, max 10; the service starts at max(1, min) and scaling owns the count from there */
  readonly runners: { readonly min: number; readonly max: number }
  /** one policy: out when any signal reaches its mark, in only when every signal is far below it */
  readonly scaling: {
    /** fleet-average SlotLoadPct ((running + queued) / slots) that adds runners. @default 80 */
    readonly slotLoadPct: number
    /** fleet-average QueueWaitMs (predicted wait) that adds runners. @default 2000 */
    readonly queueWaitMs: number
    /** fleet-average MemoryPressurePct that adds runners. @default 70 */
    readonly memoryPct: number
    /** a runner goes when, without it, every signal would stay at or below this % of its scale-out mark. @default 60: the fleet left can take a 1.6× surge before reaching a mark */
    readonly scaleInPct: number
    /** minutes every signal must stay low before a runner goes. @default 10 */
    readonly scaleInAfterMin: number
    /** consecutive minutes at or over a mark before runners are added. @default 2: one noisy minute of a small fleet is not a trend */
    readonly scaleOutAfterMin: number
    /** @default 300: a new task's start (~1.5 min) plus the minutes of data the scale-out alarm needs after it, so its capacity counts before more of the same is added (a larger step still goes through) */
    readonly scaleOutCooldownSec: number
    /** @default 300 */
    readonly scaleInCooldownSec: number
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
    /** edge Lambda throttles in 5 minutes. @default 1 */
    readonly edgeThrottlesPer5Min: number
    /** CloudFront 5xxErrorRate (%), 3 of 5 minutes (us-east-1 stacks only). @default 5 */
    readonly cloudFront5xxPct: number
    /** subscribed to the alarm topic when given. @default none */
    readonly email: string | undefined
    /** a second topic for the alarms that page (the rest go to the ticket topic). @default false, or true when pageEmail is set */
    readonly pagingTopic: boolean
    /** subscribed to the paging topic. @default none */
    readonly pageEmail: string | undefined
  }
  /** runner settings given as context (operator settings of RUNNER_SETTINGS), passed as its environment; unset keys keep the runner's defaults */
  readonly runnerEnv: Readonly<Record<string, string>>
  readonly edge: {
    /** @default 512 */
    readonly memoryMiB: number
    /** @default 120 - just above the edge's own deadline (115 s) plus its wait for the runner's answer (2 s) */
    readonly timeoutSec: number
    /** how long the edge uses a value read from Secrets Manager before reading it again. @default 300 */
    readonly secretsTtlSec: number
  }
  readonly publicEntry: {
    /** requests per IP per 5 minutes before WAF answers 429. @default 1000 */
    readonly rateLimitPer5Min: number
    /** requests per Authorization header (API key) per 5 minutes before WAF answers 429. @default 3000 */
    readonly rateLimitPerKeyPer5Min: number
    /** a CLOUDFRONT-scope WebACL (made in us-east-1); required when the stack is not in us-east-1 */
    readonly webAclArn: string | undefined
    /** custom domain; needs certificateArn (an ACM certificate in us-east-1). @default the CloudFront domain */
    readonly domainName: string | undefined
    readonly certificateArn: string | undefined
    /** the origin secret's VersionId CloudFront sends; a new one updates the distribution (rotation, infra/README.md). @default AWSCURRENT at the first deploy */
    readonly originSecretVersion: string | undefined
  }
  /** @default 'nat' */
  readonly egress: Egress
  /** @default 2 - one per AZ, so losing an AZ does not cut the other off the web (egress nat only) */
  readonly natGateways: number
  /** one of CloudWatch Logs' retention values. @default 30 */
  readonly logRetentionDays: number
  /** also the Service dimension of the runners' and the edge's metrics, so two stages in one account stay apart. @default 'Crawlfleet' */
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
  refuseRetiredKeys(raw)
  const runners = { min: num('minRunners', 1, { int: true, min: 0 }), max: num('maxRunners', 10, { int: true, min: 1 }) }
  if (runners.min > runners.max) throw new Error(`context needs crawlfleet:minRunners ≤ maxRunners, got ${runners.min} > ${runners.max}`)
  const scaling = {
    slotLoadPct: num('scaleOutSlotLoadPct', 80, { min: 1 }),
    queueWaitMs: num('scaleOutQueueWaitMs', 2000, { min: 1 }),
    memoryPct: num('scaleOutMemoryPct', 70, { min: 1, max: 99 }),
    // judged on the pressure the fleet would have with one runner fewer, so any value under 100 keeps a removal from crossing a mark
    scaleInPct: num('scaleInPct', 60, { min: 10, max: 90 }),
    scaleInAfterMin: num('scaleInAfterMin', 10, { int: true, min: 3, max: 60 }),
    scaleOutAfterMin: num('scaleOutAfterMin', 2, { int: true, min: 1, max: 10 }),
    scaleOutCooldownSec: num('scaleOutCooldownSec', 300, { int: true, min: 0, max: 3600 }),
    scaleInCooldownSec: num('scaleInCooldownSec', 300, { int: true, min: 60, max: 3600 }),
  }
  const domainName = str('domainName')
  const certificateArn = str('certificateArn')
  if ((domainName === undefined) !== (certificateArn === undefined)) throw new Error('context crawlfleet:domainName and crawlfleet:certificateArn go together')
  const egress = str('egress') ?? 'nat'
  if (egress !== 'nat' && egress !== 'public') throw new Error(`context crawlfleet:egress must be nat or public, got "${egress}"`)
  const pageEmail = str('alarmPageEmail')

  return {
    task: { cpu, memoryMiB, containerMemoryMiB, ephemeralStorageGiB: num('ephemeralStorageGiB', 30, { int: true, min: 21, max: 200 }) },
    runners,
    scaling,
    alarms: {
      memoryPct: num('alarmMemoryPct', 85, { min: 1, max: 100 }),
      refusalsPerMin: num('alarmRefusalsPerMin', 1, { min: 1 }),
      crashesPer5Min: num('alarmCrashesPer5Min', 5, { min: 1 }),
      edgeErrorsPer5Min: num('alarmEdgeErrorsPer5Min', 5, { min: 1 }),
      edgeThrottlesPer5Min: num('alarmEdgeThrottlesPer5Min', 1, { min: 1 }),
      cloudFront5xxPct: num('alarmCloudFront5xxPct', 5, { min: 0.1, max: 100 }),
      email: str('alarmEmail'),
      pagingTopic: bool('alarmPagingTopic') || pageEmail !== undefined,
      pageEmail,
    },
    runnerEnv: readRunnerEnv(str),
    edge: {
      memoryMiB: num('edgeMemoryMiB', 512, { int: true, min: 128, max: 10240 }),
      timeoutSec: num('edgeTimeoutSec', 120, { int: true, min: 10, max: 900 }),
      secretsTtlSec: num('edgeSecretsTtlSec', 300, { int: true, min: 10, max: 86_400 }),
    },
    publicEntry: {
      rateLimitPer5Min: num('rateLimitPer5Min', 1000, { int: true, min: 10 }),
      rateLimitPerKeyPer5Min: num('rateLimitPerKeyPer5Min', 3000, { int: true, min: 10 }),
      webAclArn: str('webAclArn'),
      domainName,
      certificateArn,
      originSecretVersion: versionId(str('originSecretVersion')),
    },
    egress,
    natGateways: num('natGateways', 2, { int: true, min: 1, max: 2 }),
    logRetentionDays: retention(num('logRetentionDays', 30, { int: true })),
    stackName: stackName(str('stackName') ?? 'Crawlfleet'),
    rateLimitStackOnly: bool('rateLimitStack'),
  }
}

/** Keys earlier versions read: a deploy that still passes one stops here, saying what replaced it. */
const RETIRED_KEYS: Record<string, string> = {
  desiredRunners: 'the service has no DesiredCount, so a deploy keeps the count scaling reached; it starts at max(1, minRunners)',
  scaleInMemoryPct: 'scaling is one policy now: crawlfleet:scaleInPct says how far below its scale-out mark every signal must stay without the runner that goes',
  scaleOutQueueDepth: 'the queue is watched as a time: crawlfleet:scaleOutQueueWaitMs (and the slot load, crawlfleet:scaleOutSlotLoadPct)',
  cpuTargetPct: 'CPU target tracking fought the memory policy; slot load (crawlfleet:scaleOutSlotLoadPct) measures the same saturation',
  originAccess: 'the oac mode is removed (it broke Bearer keys and plain POST bodies); the origin secret is the only mode, see infra/README.md',
}

function refuseRetiredKeys(raw: (name: string) => unknown): void {
  for (const [key, why] of Object.entries(RETIRED_KEYS)) {
    const v = raw(key)
    if (v === undefined || (key === 'originAccess' && v === 'origin-secret')) continue
    throw new Error(`context crawlfleet:${key} is no longer read: ${why}`)
  }
}

function versionId(v: string | undefined): string | undefined {
  // Secrets Manager version ids are UUIDs
  if (v !== undefined && !/^[0-9a-fA-F-]{32,64}$/.test(v)) throw new Error(`context crawlfleet:originSecretVersion must be a secret VersionId (a UUID), got "${v}"`)
  return v
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
