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
  readonly hmacSecret: string | undefined
  readonly hmacSecretArn: string | undefined
  readonly originSecretArn: string | undefined
  readonly allowCidrs: readonly string[]
  readonly runners: readonly string[]
  readonly ecs: { readonly cluster: string; readonly serviceName: string | undefined; readonly runnerPort: number; readonly ttlMs: number } | undefined
  /** Cloud Map discovery (the cloud default); `ecs`, when also set, is its fallback */
  readonly cloudMap: CloudMapConfig | undefined
  readonly placement: PlacementConfig
  readonly maxBodyBytes: number
  readonly requestDeadlineMs: number
  readonly maxAttempts: number
  readonly logLevel: string
}

export interface CloudMapConfig {
  readonly namespace: string
  readonly service: string
  readonly runnerPort: number
  readonly ttlMs: number
  /** a cold instance waits this long for Cloud Map, then reads the fallback (ECS, else the static list) */
  readonly coldWaitMs: number
}

export interface PlacementConfig {
  /** probe: ask the candidates for their load before sending (Lambda); reported: this process's memory of loads (long-lived edge) */
  readonly mode: 'probe' | 'reported'
  /** default-signature candidates probed per request */
  readonly candidates: number
  readonly probeTimeoutMs: number
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
  const discovery = str('CRAWLFLEET_DISCOVERY') ?? (str('CRAWLFLEET_CLOUDMAP_NAMESPACE') ? 'cloudmap' : str('CRAWLFLEET_ECS_CLUSTER') ? 'ecs' : 'static')
  if (discovery !== 'ecs' && discovery !== 'static' && discovery !== 'cloudmap') throw new Error(`CRAWLFLEET_DISCOVERY must be cloudmap, ecs or static, got "${discovery}"`)
  const cluster = discovery !== 'static' ? str('CRAWLFLEET_ECS_CLUSTER') : undefined
  if (discovery === 'ecs' && !cluster) throw new Error('CRAWLFLEET_DISCOVERY=ecs needs CRAWLFLEET_ECS_CLUSTER')
  const namespace = discovery === 'cloudmap' ? str('CRAWLFLEET_CLOUDMAP_NAMESPACE') : undefined
  const cloudMapService = str('CRAWLFLEET_CLOUDMAP_SERVICE')
  if (discovery === 'cloudmap' && (!namespace || !cloudMapService)) throw new Error('CRAWLFLEET_DISCOVERY=cloudmap needs CRAWLFLEET_CLOUDMAP_NAMESPACE and CRAWLFLEET_CLOUDMAP_SERVICE')
  const runnerPort = int('CRAWLFLEET_RUNNER_PORT', 11235, 1, 65535)
  const placementMode = str('CRAWLFLEET_PLACEMENT') ?? (discovery === 'static' ? 'reported' : 'probe')
  if (placementMode !== 'probe' && placementMode !== 'reported') throw new Error(`CRAWLFLEET_PLACEMENT must be probe or reported, got "${placementMode}"`)
  const runners = list('CRAWLFLEET_RUNNERS')
  if (discovery === 'static' && runners.length === 0) throw new Error('set CRAWLFLEET_RUNNERS (runner URLs) or CRAWLFLEET_ECS_CLUSTER (ECS discovery)')
  return {
    port: int('PORT', 8080, 0, 65535),
    host: str('CRAWLFLEET_HOST') ?? '0.0.0.0',
    apiKeys: list('CRAWLFLEET_API_KEYS'),
    apiKeysSecretArn: str('CRAWLFLEET_API_KEYS_SECRET_ARN'),
    hmacSecret: str('CRAWLFLEET_HMAC_SECRET'),
    hmacSecretArn: str('CRAWLFLEET_HMAC_SECRET_ARN'),
    originSecretArn: str('CRAWLFLEET_ORIGIN_SECRET_ARN'),
    allowCidrs,
    runners,
    ecs: cluster
      ? {
          cluster,
          serviceName: str('CRAWLFLEET_ECS_SERVICE'),
          runnerPort,
          ttlMs: int('CRAWLFLEET_DISCOVERY_TTL_MS', 10_000, 100),
        }
      : undefined,
    cloudMap:
      namespace && cloudMapService
        ? {
            namespace,
            service: cloudMapService,
            runnerPort,
            // one DiscoverInstances per instance per TTL: 300 s keeps 1,000 instances near 3 calls/s
            ttlMs: int('CRAWLFLEET_DISCOVERY_TTL_MS', 300_000, 100),
            coldWaitMs: int('CRAWLFLEET_DISCOVERY_COLD_WAIT_MS', 1_500, 10, 60_000),
          }
        : undefined,
    placement: {
      mode: placementMode,
      // 4: the routing simulation's Lambda mode (npm run bench -- routing-sim --mode=lambda)
      candidates: int('CRAWLFLEET_PROBE_CANDIDATES', 4, 1, 16),
      probeTimeoutMs: int('CRAWLFLEET_PROBE_TIMEOUT_MS', 200, 10, 10_000),
    },
    maxBodyBytes: int('CRAWLFLEET_MAX_BODY_BYTES', MAX_BODY_BYTES_DEFAULT, 1024),
    requestDeadlineMs: int('CRAWLFLEET_REQUEST_DEADLINE_MS', 180_000, 1000),
    maxAttempts: int('CRAWLFLEET_MAX_ATTEMPTS', 4, 1, 100),
    logLevel: str('CRAWLFLEET_LOG_LEVEL') ?? 'info',
  }
}
