import { ECSClient } from '@aws-sdk/client-ecs'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { signingKey } from '../runner/contract/request-hmac.ts'
import { ApiKeySet } from './api-keys.ts'
import type { EdgeDeps } from './app.ts'
import { systemClock, type EdgeClock } from './clock.ts'
import type { EdgeConfig } from './config.ts'
import { assembleDeps } from './deps.ts'
import { ecsDiscovery } from './discovery/ecs.ts'
import { staticDiscovery } from './discovery/static.ts'
import { createEdgeLogger, type EdgeLogger } from './logger.ts'
import { emfMetrics, type EdgeMetrics } from './metrics.ts'
import { cached, parseApiKeysSecret, parseHmacSecret, readOriginSecrets, readSecret } from './secrets.ts'

export interface CloudClients {
  readonly ecs?: ECSClient
  readonly secrets?: SecretsManagerClient
  readonly logger?: EdgeLogger
  /** @default EMF lines on stdout under config.metricsService */
  readonly metrics?: EdgeMetrics
  /** the clock of the secrets' cache. @default systemClock */
  readonly clock?: EdgeClock
}

/**
 * The Lambda edge: ECS discovery (static when no cluster is set), keys and HMAC key from Secrets
 * Manager (merged with any in the environment), the CloudFront origin secret when one is set,
 * metrics as EMF log lines. Secrets are read again after config.secretsTtlMs, so rotations need
 * no redeploy. Never open: with no key configured every page request is refused.
 */
export function cloudDeps(config: EdgeConfig, clients: CloudClients = {}): EdgeDeps {
  const logger = clients.logger ?? createEdgeLogger(config.logLevel)
  let secretsClient = clients.secrets
  const secrets = () => (secretsClient ??= new SecretsManagerClient({}))
  const clock = clients.clock ?? systemClock
  const fresh = <T>(what: string, load: () => Promise<T>) =>
    cached(load, { ttlMs: config.secretsTtlMs, now: () => clock.now(), onRefreshError: (err) => logger.warn({ secret: what, err: (err as Error).message }, 'reading a secret again failed; keeping the value read before') })
  const keys = fresh('api keys', async () => {
    const fromSecret = config.apiKeysSecretArn ? parseApiKeysSecret(await readSecret(secrets(), config.apiKeysSecretArn)) : []
    const set = new ApiKeySet([...config.apiKeys, ...fromSecret])
    if (set.size === 0) logger.warn({}, 'no API key is configured: every page request will be refused')
    return set
  })
  const hmacArn = config.hmacSecretArn
  const hmac = hmacArn ? fresh('hmac', async () => signingKey(parseHmacSecret(await readSecret(secrets(), hmacArn)))) : () => config.hmacSecret
  const discovery = config.ecs
    ? ecsDiscovery({ client: clients.ecs ?? new ECSClient({}), ...config.ecs, clock: systemClock, logger })
    : staticDiscovery(config.runners)
  const metrics = clients.metrics ?? emfMetrics(config.metricsService)
  const deps = assembleDeps(config, { discovery, auth: { open: false, keys }, hmacSecret: hmac, logger, metrics })
  const originArn = config.originSecretArn
  if (!originArn) return deps
  return { ...deps, originSecret: fresh('origin', () => readOriginSecrets(secrets(), originArn)) }
}
