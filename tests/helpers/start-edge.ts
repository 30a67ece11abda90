import { readEdgeConfig } from '../../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../../edge/local-server.ts'
import { createEdgeLogger } from '../../edge/core/logger.ts'

export interface StartEdgeOptions {
  readonly runners: readonly string[]
  readonly apiKeys?: readonly string[]
  readonly hmacSecret?: string
  readonly allowCidrs?: readonly string[]
  readonly requestDeadlineMs?: number
  /** any other CRAWLFLEET_* variable */
  readonly env?: Record<string, string>
}

/** The local edge in this process on a free loopback port, configured as `npm start` would configure it. */
export function startEdge(o: StartEdgeOptions): Promise<LocalEdge> {
  const env: Record<string, string> = {
    PORT: '0',
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_RUNNERS: o.runners.join(','),
    CRAWLFLEET_LOG_LEVEL: 'warn',
    ...(o.apiKeys ? { CRAWLFLEET_API_KEYS: o.apiKeys.join(',') } : {}),
    ...(o.hmacSecret ? { CRAWLFLEET_HMAC_SECRET: o.hmacSecret } : {}),
    ...(o.allowCidrs ? { CRAWLFLEET_ALLOW_CIDRS: o.allowCidrs.join(',') } : {}),
    ...(o.requestDeadlineMs ? { CRAWLFLEET_REQUEST_DEADLINE_MS: String(o.requestDeadlineMs) } : {}),
    ...o.env,
  }
  const config = readEdgeConfig(env)
  return startLocalEdge(config, createEdgeLogger(config.logLevel))
}
