import type { ECSClient } from '@aws-sdk/client-ecs'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery'
import { ApiKeySet } from './middleware/api-key-set.ts'
import type { EdgeDeps } from './app.ts'
import { signingKey } from '../runner/contract/request-hmac.ts'
import { systemClock, type EdgeClock } from './core/clock.ts'
import type { EdgeConfig } from './config.ts'
import { assembleDeps } from './deps.ts'
import { cachedDiscovery, withFallback, type ListSource } from './discovery/cached.ts'
import { listCloudMapRunners } from './discovery/cloud-map.ts'
import { ecsDiscovery } from './discovery/ecs.ts'
import { listRunnerTasks } from './discovery/ecs-tasks.ts'
import { staticDiscovery } from './discovery/static.ts'
import type { Discovery } from './discovery/types.ts'
import { jsonLineLogger } from './json-logger.ts'
import type { EdgeLogger } from './core/logger.ts'
import { emfMetrics, type EdgeMetrics } from './core/metrics.ts'
import { cached, once, parseApiKeysSecret, parseHmacSecret, readOriginSecrets, readSecret } from './secrets.ts'

export interface CloudClients {
  readonly ecs?: ECSClient
  readonly secrets?: SecretsManagerClient
  readonly serviceDiscovery?: ServiceDiscoveryClient
  readonly logger?: EdgeLogger
  /** @default EMF lines on stdout under config.metricsService */
  readonly metrics?: EdgeMetrics
  /** the clock of the secrets' cache. @default systemClock */
  readonly clock?: EdgeClock
}

// The SDK clients are made on first use, each from a dynamic import: a cold start loads none of
// them until a request needs a secret or a runner list (measured: `npm run bench -- edge-cold-start`).
const lazySecrets = () => import('./aws/secrets-manager.ts').then((m) => new m.SecretsManagerClient({}))
const lazyEcs = () => import('./aws/ecs.ts').then((m) => new m.ECSClient({}))
const lazyServiceDiscovery = () => import('./aws/service-discovery.ts').then((m) => new m.ServiceDiscoveryClient({}))

/**
 * The Lambda edge: Cloud Map discovery (ECS, then the static list, as fallbacks), keys and HMAC
 * keys from Secrets Manager (merged with any in the environment), the CloudFront origin secret
 * when one is set, metrics as EMF log lines. Secrets are read again after config.secretsTtlMs, so
 * rotations need no redeploy. Never open: with no key configured every page request is refused.
 */
export function cloudDeps(config: EdgeConfig, clients: CloudClients = {}): EdgeDeps {
  const logger = clients.logger ?? jsonLineLogger(config.logLevel)
  const secrets = once(async () => clients.secrets ?? (await lazySecrets()))
  const clock = clients.clock ?? systemClock
  const fresh = <T>(what: string, load: () => Promise<T>) =>
    cached(load, {
      ttlMs: config.secretsTtlMs,
      now: () => clock.now(),
      onRefreshError: (err) => logger.warn({ secret: what, err: (err as Error).message }, 'reading a secret again failed; keeping the value read before'),
    })
  const keys = fresh('api keys', async () => {
    const fromSecret = config.apiKeysSecretArn ? parseApiKeysSecret(await readSecret(await secrets(), config.apiKeysSecretArn)) : []
    const set = new ApiKeySet([...config.apiKeys, ...fromSecret])
    if (set.size === 0) logger.warn({}, 'no API key is configured: every page request will be refused')
    return set
  })
  const hmacArn = config.hmacSecretArn
  const hmac = hmacArn ? fresh('hmac', async () => signingKey(parseHmacSecret(await readSecret(await secrets(), hmacArn)))) : () => config.hmacSecret
  const discovery = cloudDiscovery(config, clients, logger)
  const metrics = clients.metrics ?? emfMetrics(config.metricsService)
  const deps = assembleDeps(config, { discovery, auth: { open: false, keys }, hmacSecret: hmac, logger, metrics })
  const originArn = config.originSecretArn
  if (!originArn) return deps
  return { ...deps, originSecret: fresh('origin', async () => readOriginSecrets(await secrets(), originArn)) }
}

function cloudDiscovery(config: EdgeConfig, clients: CloudClients, logger: EdgeLogger): Discovery {
  const ecsClient = once(async () => clients.ecs ?? (await lazyEcs()))
  if (!config.cloudMap) {
    return config.ecs ? ecsDiscovery({ client: ecsClient, ...config.ecs, clock: systemClock, logger }) : staticDiscovery(config.runners)
  }
  const cm = config.cloudMap
  const sdClient = once(async () => clients.serviceDiscovery ?? (await lazyServiceDiscovery()))
  const cloudMap: ListSource = () => listCloudMapRunners({ client: sdClient, namespace: cm.namespace, service: cm.service, runnerPort: cm.runnerPort })
  const ecs = config.ecs
  const fallback: ListSource | undefined = ecs
    ? () => listRunnerTasks({ client: ecsClient, cluster: ecs.cluster, serviceName: ecs.serviceName, runnerPort: ecs.runnerPort })
    : config.runners.length > 0
      ? () => staticDiscovery(config.runners).runners()
      : undefined
  return cachedDiscovery({
    source: fallback ? withFallback(cloudMap, fallback, { waitMs: cm.coldWaitMs, logger, name: 'Cloud Map' }) : cloudMap,
    name: 'Cloud Map',
    clock: systemClock,
    logger,
    ttlMs: cm.ttlMs,
    jitter: 0.1,
    // a failed connection asks for the list again only if it is at least this old: with 1,000
    // instances, a runner that dies must not cost 1,000 calls at once
    minForcedAgeMs: 30_000,
  })
}
