import { ECSClient } from '@aws-sdk/client-ecs'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { ApiKeySet } from './middleware/api-key-set.ts'
import type { EdgeDeps } from './app.ts'
import { systemClock } from './core/clock.ts'
import type { EdgeConfig } from './config.ts'
import { assembleDeps } from './deps.ts'
import { ecsDiscovery } from './discovery/ecs.ts'
import { staticDiscovery } from './discovery/static.ts'
import { createEdgeLogger, type EdgeLogger } from './core/logger.ts'
import { emfMetrics } from './core/metrics.ts'
import { once, parseApiKeysSecret, parseHmacSecret, readSecret } from './secrets.ts'

export interface CloudClients {
  readonly ecs?: ECSClient
  readonly secrets?: SecretsManagerClient
  readonly logger?: EdgeLogger
}

/**
 * The Lambda edge: ECS discovery (static when no cluster is set), keys and HMAC key from Secrets
 * Manager (merged with any in the environment), the CloudFront origin secret when one is set,
 * metrics as EMF log lines. Never open: with no key configured every page request is refused.
 */
export function cloudDeps(config: EdgeConfig, clients: CloudClients = {}): EdgeDeps {
  const logger = clients.logger ?? createEdgeLogger(config.logLevel)
  let secretsClient = clients.secrets
  const secrets = () => (secretsClient ??= new SecretsManagerClient({}))
  const keys = once(async () => {
    const fromSecret = config.apiKeysSecretArn ? parseApiKeysSecret(await readSecret(secrets(), config.apiKeysSecretArn)) : []
    const set = new ApiKeySet([...config.apiKeys, ...fromSecret])
    if (set.size === 0) logger.warn({}, 'no API key is configured: every page request will be refused')
    return set
  })
  const hmac = once(async () => (config.hmacSecretArn ? parseHmacSecret(await readSecret(secrets(), config.hmacSecretArn)) : config.hmacSecret))
  const discovery = config.ecs
    ? ecsDiscovery({ client: clients.ecs ?? new ECSClient({}), ...config.ecs, clock: systemClock, logger })
    : staticDiscovery(config.runners)
  const deps = assembleDeps(config, { discovery, auth: { open: false, keys }, hmacSecret: hmac, logger, metrics: emfMetrics() })
  if (!config.originSecretArn) return deps
  const arn = config.originSecretArn
  return { ...deps, originSecret: once(async () => (await readSecret(secrets(), arn)).trim()) }
}
