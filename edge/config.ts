import { readSettings, type Env } from '../runner/contract/settings/define.ts'
import { EDGE_SETTINGS } from '../runner/contract/settings/edge-settings.ts'
import { signingKey } from '../runner/contract/request-hmac.ts'

/** Everything the edge (and the local stack around it) is told from outside. */
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
  /** Cloud Map discovery (the cloud default); `ecs`, when also set, is its fallback */
  readonly cloudMap: CloudMapConfig | undefined
  readonly placement: PlacementConfig
  readonly maxBodyBytes: number
  readonly requestDeadlineMs: number
  readonly maxAttempts: number
  readonly logLevel: string
  /** how long a signed /dashboard link works */
  readonly dashboardLinkTtlMs: number
  /** the Service dimension of the edge's metrics: the stack's name in the cloud */
  readonly metricsService: string
  /** how long a value read from Secrets Manager is used before it is read again (rotation) */
  readonly secretsTtlMs: number
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
  /** set: default-signature requests go where the load store says, `mode` when it cannot answer */
  readonly store: { readonly url: string; readonly timeoutMs: number; readonly retryAfterMs: number } | undefined
}

/** What `npm start` needs before any runner exists (scripts/local-stack.ts). */
export interface LocalStackConfig {
  readonly runnerCount: number
  /** how long each runner gets to drain on Ctrl-C */
  readonly stopTimeoutMs: number
  readonly hmacSecret: string | undefined
  readonly logLevel: string
}

export function readLocalStackConfig(env: Env): LocalStackConfig {
  const s = readSettings(EDGE_SETTINGS, env)
  return { runnerCount: s.runnerCount, stopTimeoutMs: s.localStopTimeoutMs, hmacSecret: s.hmacSecret, logLevel: s.logLevel }
}

/** The only reader of the edge's environment, through EDGE_SETTINGS; a bad value throws naming its variable. */
export function readEdgeConfig(env: Env): EdgeConfig {
  const s = readSettings(EDGE_SETTINGS, env)
  const discovery = s.discovery ?? (s.cloudMapNamespace ? 'cloudmap' : s.ecsCluster ? 'ecs' : 'static')
  const cluster = discovery !== 'static' ? s.ecsCluster : undefined
  if (discovery === 'ecs' && !cluster) throw new Error(`${EDGE_SETTINGS.discovery.env}=ecs needs ${EDGE_SETTINGS.ecsCluster.env}`)
  const namespace = discovery === 'cloudmap' ? s.cloudMapNamespace : undefined
  if (discovery === 'cloudmap' && (!namespace || !s.cloudMapService)) {
    throw new Error(`${EDGE_SETTINGS.discovery.env}=cloudmap needs ${EDGE_SETTINGS.cloudMapNamespace.env} and ${EDGE_SETTINGS.cloudMapService.env}`)
  }
  if (discovery === 'static' && s.runners.length === 0) {
    throw new Error(`set ${EDGE_SETTINGS.runners.env} (runner URLs) or ${EDGE_SETTINGS.ecsCluster.env} (ECS discovery)`)
  }
  return {
    port: s.port,
    host: s.host,
    apiKeys: s.apiKeys,
    apiKeysSecretArn: s.apiKeysSecretArn,
    // a list when keys rotate: the edge signs with the first, runners accept any
    hmacSecret: signingKey(s.hmacSecret),
    hmacSecretArn: s.hmacSecretArn,
    originSecretArn: s.originSecretArn,
    allowCidrs: s.allowCidrs,
    runners: s.runners,
    ecs: cluster ? { cluster, serviceName: s.ecsService, runnerPort: s.runnerPort, ttlMs: s.discoveryTtlMs ?? 10_000 } : undefined,
    cloudMap:
      namespace && s.cloudMapService
        ? {
            namespace,
            service: s.cloudMapService,
            runnerPort: s.runnerPort,
            // one DiscoverInstances per instance per TTL: 300 s keeps 1,000 instances near 3 calls/s
            ttlMs: s.discoveryTtlMs ?? 300_000,
            coldWaitMs: s.discoveryColdWaitMs,
          }
        : undefined,
    placement: {
      // 8 candidates: at 4 requests in flight per runner, 4 leave the busiest runner at 1.30–1.45× the
      // mean and 8 at 1.22–1.25× (npm run bench -- routing-sim --mode=lambda); 8 probes are 8 small GETs in parallel
      mode: s.placement ?? (discovery === 'static' ? 'reported' : 'probe'),
      candidates: s.probeCandidates,
      probeTimeoutMs: s.probeTimeoutMs,
      store: s.loadStoreUrl ? { url: s.loadStoreUrl, timeoutMs: s.loadStoreTimeoutMs, retryAfterMs: 5000 } : undefined,
    },
    maxBodyBytes: s.maxBodyBytes,
    requestDeadlineMs: s.requestDeadlineMs,
    maxAttempts: s.maxAttempts,
    logLevel: s.logLevel,
    dashboardLinkTtlMs: s.dashboardLinkTtlSec * 1000,
    metricsService: s.metricsService,
    secretsTtlMs: s.secretsTtlSec * 1000,
  }
}
