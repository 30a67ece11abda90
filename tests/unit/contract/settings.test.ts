import { describe, expect, it } from 'vitest'
import { readRunnerConfig } from '../../../runner/config.ts'
import { readSettings, SettingError } from '../../../runner/contract/settings/define.ts'
import { EDGE_SETTINGS } from '../../../runner/contract/settings/edge-settings.ts'
import { operatorSettings, RUNNER_SETTINGS } from '../../../runner/contract/settings/runner-settings.ts'
import { DEFAULT_POOL_SETTINGS } from '../../../runner/pool/pool-settings.ts'

describe('the settings tables', () => {
  it('declare each variable once per process', () => {
    for (const table of [RUNNER_SETTINGS, EDGE_SETTINGS]) {
      const names = Object.values(table).map((s) => s.env)
      expect(names.length).toBe(new Set(names).size)
    }
  })

  it('give every setting its default when the environment is empty or blank', () => {
    const s = readSettings(RUNNER_SETTINGS, { CRAWLFLEET_QUEUE_WAIT_MS: '  ' })
    expect(s.queueWaitMs).toBe(10_000)
    expect(s.coldTtlSec).toEqual([300, 60, 30])
    expect(s.maxBrowsers).toBeUndefined()
    expect(s.runnerId).toBeUndefined()
  })

  it.each([
    ['PORT', 'eighty', /PORT must be an integer ≥ 0 and ≤ 65535, got "eighty"/],
    ['CRAWLFLEET_PAGES_PER_CORE', '0.1', /CRAWLFLEET_PAGES_PER_CORE must be a number ≥ 0.25/],
    ['CRAWLFLEET_COLD_TTL_SEC', '120,60', /CRAWLFLEET_COLD_TTL_SEC must be three positive numbers/],
    ['CRAWLFLEET_ALLOW_CIDRS', '10.0.0.0/40', /CRAWLFLEET_ALLOW_CIDRS must be comma-separated CIDRs: "10.0.0.0\/40" is not a CIDR/],
    ['CRAWLFLEET_LOG_LEVEL', 'loud', /CRAWLFLEET_LOG_LEVEL must be one of fatal, error/],
    ['CRAWLFLEET_LLM_BASE_URL', 'ftp://x', /CRAWLFLEET_LLM_BASE_URL must be an http\(s\) URL/],
  ])('refuses a bad %s at start, naming the variable', (name, value, message) => {
    expect(() => readRunnerConfig({ [name]: value })).toThrow(SettingError)
    expect(() => readRunnerConfig({ [name]: value })).toThrow(message)
  })

  it("maps the runner's settings onto the pool, capacity and janitor settings it runs with", () => {
    const c = readRunnerConfig({
      CRAWLFLEET_HOT_TTL_SEC: '60,30,10',
      CRAWLFLEET_MAX_BROWSERS: '3',
      CRAWLFLEET_PROMOTE_AFTER_USES: '2',
      CRAWLFLEET_MAX_QUEUED_PER_CALLER: '50',
      CRAWLFLEET_ADAPT_SLOTS: 'off',
      PORT: '9000',
    })
    expect(c.pool.hotTtlMs).toEqual({ LOW: 60_000, MEDIUM: 30_000, HIGH: 10_000 })
    expect(c.pool.promoteAfterUses).toBe(2)
    expect(c.capacity).toMatchObject({ maxBrowsers: 3, pagesPerCore: 8, maxQueued: undefined, maxQueuedPerCaller: 50, queueWaitMs: 10_000 })
    expect(c.adaptSlots).toBe(false)
    expect(readRunnerConfig({}).adaptSlots).toBe(true)
    expect(c.runnerId).toMatch(/:9000$/)
    expect(readRunnerConfig({}).pool).toEqual(DEFAULT_POOL_SETTINGS)
    expect(readRunnerConfig({ CRAWLFLEET_MAX_BROWSERS: '0' }).capacity.maxBrowsers).toBeUndefined()
  })

  it('turns CloudWatch publishing on with a region unless told off', () => {
    expect(readRunnerConfig({}).cloudwatch).toBeUndefined()
    expect(readRunnerConfig({ AWS_DEFAULT_REGION: 'eu-west-1' }).cloudwatch).toEqual({ region: 'eu-west-1', service: 'crawlfleet', periodMs: 60_000 })
    expect(readRunnerConfig({ AWS_REGION: 'eu-west-1', CRAWLFLEET_CLOUDWATCH: 'off' }).cloudwatch).toBeUndefined()
  })

  it('marks the pool settings, and only settings with a default or a parser, as settable through CDK context', () => {
    expect(operatorSettings().map(([key]) => key)).toEqual(expect.arrayContaining(['promoteAfterUses', 'coldTtlSec', 'maxBrowsers', 'logLevel']))
    expect(operatorSettings().map(([key]) => key)).not.toContain('hmacSecret')
  })
})
