import { randomBytes } from 'node:crypto'
import { createUrlPolicy } from '../runner/contract/url-policy/check-url.ts'
import { dashboardLinks, linkKeyFrom } from './fleet/dashboard-link.ts'
import { createRunnerCaller } from './fleet/runner-call.ts'
import { ApiKeySet } from './middleware/api-key-set.ts'
import type { EdgeDeps } from './app.ts'
import { systemClock } from './core/clock.ts'
import type { EdgeConfig } from './config.ts'
import { staticDiscovery } from './discovery/static.ts'
import type { Discovery } from './discovery/types.ts'
import { createForwarder, type Transport } from './forward.ts'
import type { EdgeLogger } from './core/logger.ts'
import { noMetrics, type EdgeMetrics } from './core/metrics.ts'
import { httpProber } from './routing/probe.ts'
import { redisLoadStore } from './routing/load-store.ts'
import type { ApiKeyAuth } from './middleware/api-key.ts'

export interface DepsParts {
  readonly discovery: Discovery
  readonly auth: ApiKeyAuth
  hmacSecret(): string | undefined | Promise<string | undefined>
  readonly logger: EdgeLogger
  readonly metrics: EdgeMetrics
  readonly transport?: Transport
  /** a local edge tells a caller which setting lets a private address through; a cloud one does not */
  readonly explainAllowCidrs?: boolean
}

/** The parts every edge shares, local or cloud; only discovery, keys and the HMAC key differ. */
export function assembleDeps(config: EdgeConfig, p: DepsParts): EdgeDeps {
  let linkKey: Promise<Buffer> | undefined
  return {
    auth: p.auth,
    urlPolicy: createUrlPolicy({ allowCidrs: config.allowCidrs, explainAllowCidrs: p.explainAllowCidrs }),
    forward: createForwarder({
      discovery: p.discovery,
      clock: systemClock,
      logger: p.logger,
      metrics: p.metrics,
      hmacSecret: p.hmacSecret,
      transport: p.transport,
      maxAttempts: config.maxAttempts,
      probe:
        config.placement.mode === 'probe'
          ? { prober: httpProber({ fetch: p.transport ?? ((url, init) => fetch(url, init)), timeoutMs: config.placement.probeTimeoutMs }), candidates: config.placement.candidates }
          : undefined,
      store: config.placement.store && redisLoadStore({ ...config.placement.store, clock: systemClock, logger: p.logger, connectAtStart: true }),
    }),
    clock: systemClock,
    logger: p.logger,
    metrics: p.metrics,
    maxBodyBytes: config.maxBodyBytes,
    requestDeadlineMs: config.requestDeadlineMs,
    fleet: {
      caller: createRunnerCaller({ discovery: p.discovery, clock: systemClock, hmacSecret: p.hmacSecret, transport: p.transport }),
      links: dashboardLinks({
        key: () => (linkKey ??= Promise.resolve(p.hmacSecret()).then((secret) => linkKeyFrom(secret, () => randomBytes(32)))),
        wallMs: systemClock.wallMs,
        ttlMs: config.dashboardLinkTtlMs,
      }),
    },
  }
}

/** Local mode: static runners, keys and secret from the environment; no AWS anywhere. */
export function localDeps(config: EdgeConfig, logger: EdgeLogger): EdgeDeps {
  if (config.ecs || config.cloudMap) logger.warn({}, 'cloud discovery settings are ignored by the local edge; it routes to CRAWLFLEET_RUNNERS')
  const keys = new ApiKeySet(config.apiKeys)
  return assembleDeps(config, {
    discovery: staticDiscovery(config.runners),
    auth: { open: keys.size === 0, keys: () => keys },
    hmacSecret: () => config.hmacSecret,
    logger,
    metrics: noMetrics,
    explainAllowCidrs: true,
  })
}
