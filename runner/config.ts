import { hostname } from 'node:os'
import type { PressureLevel } from './resources/types.ts'
import { EnvReader } from './util/env.ts'

/** Everything a runner is told from outside; `runner/main.ts` is its only reader of the environment. */
export interface RunnerConfig {
  readonly port: number
  readonly host: string
  readonly runnerId: string
  readonly hmacSecret: string | undefined
  readonly allowCidrs: readonly string[]
  readonly chromiumPath: string | undefined
  readonly logLevel: string
  readonly pool: {
    readonly promoteAfterUses: number
    readonly maxPagesPerBrowser: number
    readonly maxBrowserAgeMs: number
    readonly memoryGatePct: number
  }
  readonly capacity: {
    readonly pagesPerCore: number
    readonly queuePerSlot: number
    readonly queueWaitMs: number
    readonly maxBrowsers: number | undefined
  }
  readonly janitor: {
    readonly intervalMs: ByLevel
    readonly coldTtlMs: ByLevel
    readonly hotTtlMs: ByLevel
  }
  readonly warmSparesPerBrowser: number
  readonly stopTimeoutMs: number
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
}

type ByLevel = Readonly<Record<PressureLevel, number>>
const byLevelMs = ([LOW, MEDIUM, HIGH]: readonly number[]): ByLevel => ({ LOW: LOW! * 1000, MEDIUM: MEDIUM! * 1000, HIGH: HIGH! * 1000 })

export function readRunnerConfig(env: Record<string, string | undefined>): RunnerConfig {
  const e = new EnvReader(env)
  const port = e.int('PORT', 11235, { min: 0, max: 65535 })
  const maxBrowsers = e.int('CRAWLFLEET_MAX_BROWSERS', 0, { min: 0 })
  return {
    port,
    host: e.string('CRAWLFLEET_HOST', '127.0.0.1'),
    runnerId: e.string('CRAWLFLEET_RUNNER_ID', `${hostname()}:${port}`),
    hmacSecret: e.string('CRAWLFLEET_HMAC_SECRET'),
    allowCidrs: e.list('CRAWLFLEET_ALLOW_CIDRS'),
    chromiumPath: e.string('CRAWLFLEET_CHROMIUM_PATH'),
    logLevel: e.string('CRAWLFLEET_LOG_LEVEL', 'info'),
    pool: {
      promoteAfterUses: e.int('CRAWLFLEET_PROMOTE_AFTER_USES', 3, { min: 1 }),
      maxPagesPerBrowser: e.int('CRAWLFLEET_MAX_PAGES_PER_BROWSER', 500, { min: 1 }),
      maxBrowserAgeMs: e.int('CRAWLFLEET_MAX_BROWSER_AGE_SEC', 1800, { min: 1 }) * 1000,
      memoryGatePct: e.number('CRAWLFLEET_MEMORY_GATE_PCT', 85, { min: 1, max: 100 }),
    },
    capacity: {
      pagesPerCore: e.number('CRAWLFLEET_PAGES_PER_CORE', 2, { min: 0.25 }),
      queuePerSlot: e.number('CRAWLFLEET_QUEUE_PER_SLOT', 4, { min: 0 }),
      queueWaitMs: e.int('CRAWLFLEET_QUEUE_WAIT_MS', 10_000, { min: 1 }),
      maxBrowsers: maxBrowsers > 0 ? maxBrowsers : undefined,
    },
    janitor: {
      intervalMs: byLevelMs(e.triple('CRAWLFLEET_JANITOR_INTERVAL_SEC', [60, 30, 10])),
      coldTtlMs: byLevelMs(e.triple('CRAWLFLEET_COLD_TTL_SEC', [300, 60, 30])),
      hotTtlMs: byLevelMs(e.triple('CRAWLFLEET_HOT_TTL_SEC', [600, 300, 120])),
    },
    warmSparesPerBrowser: e.int('CRAWLFLEET_WARM_SPARES', 1, { min: 0, max: 4 }),
    stopTimeoutMs: e.int('CRAWLFLEET_STOP_TIMEOUT_MS', 100_000, { min: 1 }),
    dns: {
      servers: e.list('CRAWLFLEET_DNS_SERVERS'),
      timeoutMs: e.int('CRAWLFLEET_DNS_TIMEOUT_MS', 1000, { min: 50, max: 30_000 }),
      tries: e.int('CRAWLFLEET_DNS_TRIES', 2, { min: 1, max: 5 }),
      minTtlMs: e.int('CRAWLFLEET_DNS_MIN_TTL_SEC', 5, { min: 0, max: 3600 }) * 1000,
      maxTtlMs: e.int('CRAWLFLEET_DNS_MAX_TTL_SEC', 300, { min: 1, max: 86_400 }) * 1000,
      negativeTtlMs: e.int('CRAWLFLEET_DNS_NEGATIVE_TTL_SEC', 15, { min: 0, max: 3600 }) * 1000,
    },
    chromiumSandbox: oneOf('CRAWLFLEET_CHROMIUM_SANDBOX', e.string('CRAWLFLEET_CHROMIUM_SANDBOX', 'auto'), ['auto', 'on', 'off'] as const),
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
  return value as T
}
