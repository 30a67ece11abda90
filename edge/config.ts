import { EDGE_SERVICE } from '../runner/contract/metric-names.ts'
import { signingKey } from '../runner/contract/request-hmac.ts'
import { CidrList } from '../runner/contract/url-policy/address-class.ts'

/** The runner refuses bodies over 2 MiB too; the edge stops them first, before any runner is asked. */
export const MAX_BODY_BYTES_DEFAULT = 2 * 1024 * 1024

/** Everything the edge is told from outside. This is the only module that reads the environment. */
export interface EdgeConfig {
  readonly port: number
  /** where the local edge listens; always 127.0.0.1 when no API key is configured */
  readonly host: string
  readonly apiKeys: readonly string[]
  readonly apiKeysSecretArn: string | undefined
  /** the key the edge signs with: the first of CRAWLFLEET_HMAC_SECRET's comma-separated list */
  readonly hmacSecret: string | undefined
  readonly hmacSecretArn: string | undefined
  readonly originSecretArn: string | undefined
  readonly allowCidrs: readonly string[]
  readonly runners: readonly string[]
  readonly ecs: { readonly cluster: string; readonly serviceName: string | undefined; readonly runnerPort: number; readonly ttlMs: number } | undefined
  readonly maxBodyBytes: number
  readonly requestDeadlineMs: number
  readonly maxAttempts: number
  readonly logLevel: string
  /** the Service dimension of the edge's metrics: the stack's name in the cloud */
  readonly metricsService: string
  /** how long a value read from Secrets Manager is used before it is read again (rotation) */
  readonly secretsTtlMs: number
}

type Env = Readonly<Record<string, string | undefined>>

export function readEdgeConfig(env: Env): EdgeConfig {
  const str = (name: string): string | undefined => env[name]?.trim() || undefined
  const list = (name: string): string[] => (str(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = str(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
    return n
  }

  const allowCidrs = list('CRAWLFLEET_ALLOW_CIDRS')
  new CidrList(allowCidrs) // a bad CIDR stops the edge at start, naming it
  const discovery = str('CRAWLFLEET_DISCOVERY') ?? (str('CRAWLFLEET_ECS_CLUSTER') ? 'ecs' : 'static')
  if (discovery !== 'ecs' && discovery !== 'static') throw new Error(`CRAWLFLEET_DISCOVERY must be ecs or static, got "${discovery}"`)
  const cluster = discovery === 'ecs' ? str('CRAWLFLEET_ECS_CLUSTER') : undefined
  if (discovery === 'ecs' && !cluster) throw new Error('CRAWLFLEET_DISCOVERY=ecs needs CRAWLFLEET_ECS_CLUSTER')
  const runners = list('CRAWLFLEET_RUNNERS')
  if (discovery === 'static' && runners.length === 0) throw new Error('set CRAWLFLEET_RUNNERS (runner URLs) or CRAWLFLEET_ECS_CLUSTER (ECS discovery)')
  return {
    port: int('PORT', 8080, 0, 65535),
    host: str('CRAWLFLEET_HOST') ?? '0.0.0.0',
    apiKeys: list('CRAWLFLEET_API_KEYS'),
    apiKeysSecretArn: str('CRAWLFLEET_API_KEYS_SECRET_ARN'),
    hmacSecret: signingKey(str('CRAWLFLEET_HMAC_SECRET')),
    hmacSecretArn: str('CRAWLFLEET_HMAC_SECRET_ARN'),
    originSecretArn: str('CRAWLFLEET_ORIGIN_SECRET_ARN'),
    allowCidrs,
    runners,
    ecs: cluster
      ? {
          cluster,
          serviceName: str('CRAWLFLEET_ECS_SERVICE'),
          runnerPort: int('CRAWLFLEET_RUNNER_PORT', 11235, 1, 65535),
          ttlMs: int('CRAWLFLEET_DISCOVERY_TTL_MS', 10_000, 100),
        }
      : undefined,
    maxBodyBytes: int('CRAWLFLEET_MAX_BODY_BYTES', MAX_BODY_BYTES_DEFAULT, 1024),
    requestDeadlineMs: int('CRAWLFLEET_REQUEST_DEADLINE_MS', 180_000, 1000),
    maxAttempts: int('CRAWLFLEET_MAX_ATTEMPTS', 4, 1, 100),
    logLevel: str('CRAWLFLEET_LOG_LEVEL') ?? 'info',
    metricsService: str('CRAWLFLEET_METRICS_SERVICE') ?? EDGE_SERVICE,
    secretsTtlMs: int('CRAWLFLEET_SECRETS_TTL_SEC', 300, 1, 86_400) * 1000,
  }
}
