import { describe, expect, it } from 'vitest'
import { readEdgeConfig } from '../../../edge/config.ts'

describe('readEdgeConfig', () => {
  it('has working defaults for a local edge in front of static runners', () => {
    const c = readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://127.0.0.1:11235, http://127.0.0.1:11236' })
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      apiKeys: [],
      runners: ['http://127.0.0.1:11235', 'http://127.0.0.1:11236'],
      allowCidrs: [],
      ecs: undefined,
      maxBodyBytes: 2 * 1024 * 1024,
      requestDeadlineMs: 180_000,
      maxAttempts: 4,
      hmacSecret: undefined,
      metricsService: 'edge',
      secretsTtlMs: 300_000,
    })
  })

  it('signs with the first key of a CRAWLFLEET_HMAC_SECRET list; takes the metrics service and the secrets TTL', () => {
    const c = readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_HMAC_SECRET: ' new , old ', CRAWLFLEET_METRICS_SERVICE: 'Crawlfleet', CRAWLFLEET_SECRETS_TTL_SEC: '60' })
    expect(c).toMatchObject({ hmacSecret: 'new', metricsService: 'Crawlfleet', secretsTtlMs: 60_000 })
    expect(() => readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_SECRETS_TTL_SEC: '0' })).toThrow(/CRAWLFLEET_SECRETS_TTL_SEC/)
  })

  it('reads keys, secret, CIDRs and ECS settings', () => {
    const c = readEdgeConfig({
      PORT: '9000',
      CRAWLFLEET_API_KEYS: 'a, b',
      CRAWLFLEET_HMAC_SECRET: 'x',
      CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
      CRAWLFLEET_ECS_CLUSTER: 'crawlfleet',
      CRAWLFLEET_ECS_SERVICE: 'runners',
      CRAWLFLEET_RUNNER_PORT: '8000',
    })
    expect(c).toMatchObject({ port: 9000, apiKeys: ['a', 'b'], hmacSecret: 'x', allowCidrs: ['127.0.0.0/8', '::1/128'] })
    expect(c.ecs).toEqual({ cluster: 'crawlfleet', serviceName: 'runners', runnerPort: 8000, ttlMs: 10_000 })
  })

  it('stops at start on a bad value, naming the variable', () => {
    expect(() => readEdgeConfig({})).toThrow(/CRAWLFLEET_RUNNERS/)
    expect(() => readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_ALLOW_CIDRS: '10.0.0.0/40' })).toThrow(/10\.0\.0\.0\/40/)
    expect(() => readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_MAX_ATTEMPTS: '0' })).toThrow(/CRAWLFLEET_MAX_ATTEMPTS/)
  })

  it('takes Cloud Map discovery, with ECS as its fallback, and probes by default in the cloud', () => {
    const c = readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'cloudmap', CRAWLFLEET_CLOUDMAP_NAMESPACE: 'crawlfleet.internal', CRAWLFLEET_CLOUDMAP_SERVICE: 'runners', CRAWLFLEET_ECS_CLUSTER: 'c' })
    expect(c.cloudMap).toEqual({ namespace: 'crawlfleet.internal', service: 'runners', runnerPort: 11235, ttlMs: 300_000, coldWaitMs: 1_500 })
    expect(c.ecs?.cluster).toBe('c')
    expect(c.placement).toEqual({ mode: 'probe', candidates: 8, probeTimeoutMs: 200 })
    expect(readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1' }).placement.mode).toBe('reported')
    expect(readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_PLACEMENT: 'probe', CRAWLFLEET_PROBE_CANDIDATES: '3' }).placement).toMatchObject({ mode: 'probe', candidates: 3 })
    expect(() => readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'cloudmap', CRAWLFLEET_CLOUDMAP_NAMESPACE: 'n' })).toThrow(/CRAWLFLEET_CLOUDMAP_SERVICE/)
    expect(() => readEdgeConfig({ CRAWLFLEET_RUNNERS: 'http://a:1', CRAWLFLEET_PLACEMENT: 'psychic' })).toThrow(/CRAWLFLEET_PLACEMENT/)
  })

  it('takes ECS discovery from CRAWLFLEET_DISCOVERY=ecs, as the CDK stack sets it', () => {
    const c = readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'ecs', CRAWLFLEET_ECS_CLUSTER: 'c', CRAWLFLEET_ORIGIN_SECRET_ARN: 'arn:x' })
    expect(c.ecs?.cluster).toBe('c')
    expect(c.originSecretArn).toBe('arn:x')
    expect(() => readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'ecs' })).toThrow(/CRAWLFLEET_ECS_CLUSTER/)
    expect(() => readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'dns', CRAWLFLEET_RUNNERS: 'http://a:1' })).toThrow(/CRAWLFLEET_DISCOVERY/)
    expect(readEdgeConfig({ CRAWLFLEET_DISCOVERY: 'static', CRAWLFLEET_ECS_CLUSTER: 'c', CRAWLFLEET_RUNNERS: 'http://a:1' }).ecs).toBeUndefined()
  })
})
