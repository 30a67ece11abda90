import { hostname, networkInterfaces } from 'node:os'
import { firstExternalIPv4 } from './metrics/load-publisher.ts'
import { readSettings, type Env } from './contract/settings/define.ts'
import { RUNNER_SETTINGS, type RunnerSettings } from './contract/settings/runner-settings.ts'
import type { JobSettings } from './jobs/job-store.ts'
import type { WebhookSettings } from './jobs/webhook-delivery.ts'
import type { LlmConfig } from './llm/config.ts'
import type { CapacitySettings } from './pool/capacity-plan.ts'
import { poolSettingsFrom, capacitySettingsFrom, type PoolSettings } from './pool/pool-settings.ts'

/** Everything a runner is told from outside, read once from the environment through RUNNER_SETTINGS. */
export interface RunnerConfig {
  readonly port: number
  readonly host: string
  readonly runnerId: string
  readonly hmacSecret: string | undefined
  /** set: this runner publishes its load there as `<advertisedHost>:<port>` (runner/contract/load-store.ts) */
  readonly loadStore: { readonly url: string; readonly advertisedHost: string } | undefined
  readonly allowCidrs: readonly string[]
  /** undefined: found automatically (runner/browser/find-chromium.ts) */
  readonly chromiumPath: string | undefined
  readonly logLevel: string
  readonly pool: PoolSettings
  readonly capacity: CapacitySettings
  readonly warmSparesPerBrowser: number
  /** the largest answers a page route sends */
  readonly responses: { readonly maxResponseBytes: number; readonly maxCrawlBytes: number }
  /** adapt page slots to the event loop's delay (runner/pool/slot-policy.ts) */
  readonly adaptSlots: boolean
  /** a browser's spares close after it has been idle this long */
  readonly spareIdleMs: number
  /** POST /debug/gc and /debug/heap-snapshot */
  readonly debugEndpoints: boolean
  readonly stopTimeoutMs: number
  /** undefined when no LLM is configured: /llm and /md?f=llm answer 501 */
  readonly llm: LlmConfig | undefined
  /** undefined when CloudWatch publishing is off (no AWS region, or CRAWLFLEET_CLOUDWATCH=off) */
  readonly cloudwatch: { readonly region: string; readonly service: string; readonly periodMs: number } | undefined
  /** the ECS task metadata endpoint, when the runner runs on ECS */
  readonly ecsMetadataUri: string | undefined
  readonly jobs: JobSettings
  /** undefined when no webhook secret is configured: a job with webhook_config gets 501 */
  readonly webhook: WebhookSettings | undefined
  /** the egress proxy's resolver (runner/egress/dns-resolver.ts) */
  readonly dns: {
    readonly servers: readonly string[]
    readonly timeoutMs: number
    readonly tries: number
    readonly minTtlMs: number
    readonly maxTtlMs: number
    readonly negativeTtlMs: number
  }
  readonly chromiumSandbox: 'auto' | 'on' | 'off'
  /** how much nicer than the runner the permanent browser runs */
  readonly chromiumNice: number
  /** … and the launch variants' browsers (hot and cold pools) */
  readonly pooledChromiumNice: number
}

/** The only reader of the runner's environment; a bad value throws naming its variable. */
export function readRunnerConfig(env: Env): RunnerConfig {
  return runnerConfigFrom(readSettings(RUNNER_SETTINGS, env))
}

export function runnerConfigFrom(s: RunnerSettings): RunnerConfig {
  const region = s.awsRegion ?? s.awsDefaultRegion
  return {
    port: s.port,
    host: s.host,
    runnerId: s.runnerId ?? `${hostname()}:${s.port}`,
    hmacSecret: s.hmacSecret,
    loadStore: s.loadStoreUrl ? { url: s.loadStoreUrl, advertisedHost: s.advertisedHost ?? firstExternalIPv4(networkInterfaces()) ?? s.host } : undefined,
    allowCidrs: s.allowCidrs,
    chromiumPath: s.chromiumPath,
    logLevel: s.logLevel,
    pool: poolSettingsFrom(s),
    capacity: capacitySettingsFrom(s),
    warmSparesPerBrowser: s.warmSpares,
    adaptSlots: s.adaptSlots === 'on',
    responses: { maxResponseBytes: s.maxResponseBytes, maxCrawlBytes: s.maxCrawlBytes },
    spareIdleMs: s.spareIdleSec * 1000,
    debugEndpoints: s.debugEndpoints === 'on',
    stopTimeoutMs: s.stopTimeoutMs,
    llm: llmConfigFrom(s),
    cloudwatch:
      region && s.cloudwatch === 'on' ? { region, service: s.metricsService, periodMs: s.cloudwatchPeriodSec * 1000 } : undefined,
    ecsMetadataUri: s.ecsMetadataUri,
    jobs: { ttlMs: s.jobTtlSec * 1000, maxBytes: s.jobStoreBytes, maxUnfinished: s.jobsMax, running: s.jobsRunning },
    dns: {
      servers: s.dnsServers,
      timeoutMs: s.dnsTimeoutMs,
      tries: s.dnsTries,
      minTtlMs: s.dnsMinTtlSec * 1000,
      maxTtlMs: s.dnsMaxTtlSec * 1000,
      negativeTtlMs: s.dnsNegativeTtlSec * 1000,
    },
    chromiumSandbox: s.chromiumSandbox,
    chromiumNice: s.chromiumNice,
    pooledChromiumNice: s.pooledChromiumNice,
    webhook: s.webhookSecret && { key: s.webhookSecret, attempts: s.webhookAttempts, retryMs: s.webhookRetryMs, timeoutMs: s.webhookTimeoutMs },
  }
}

/** An LLM is configured when both its API root and its model are set. */
function llmConfigFrom(s: RunnerSettings): LlmConfig | undefined {
  if (!s.llmBaseUrl || !s.llmModel) return undefined
  return {
    baseUrl: new URL(s.llmBaseUrl).href.replace(/\/+$/, ''),
    model: s.llmModel,
    apiKey: s.llmApiKey,
    maxInputTokens: s.llmMaxInputTokens,
    timeoutMs: s.llmTimeoutMs,
    jsonMode: s.llmJsonMode,
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
  return value as T
}
