import { describe, expect, it } from 'vitest'
import { readSettings } from '../../infra/lib/settings.ts'
import { operatorSettings } from '../../runner/contract/settings/runner-settings.ts'

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] })
const read = (values: Record<string, unknown> = {}) => readSettings(context(Object.fromEntries(Object.entries(values).map(([k, v]) => [`crawlfleet:${k}`, v]))))

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const s = read()
    expect(s.task).toEqual({ cpu: 2048, memoryMiB: 4096, containerMemoryMiB: 4096, ephemeralStorageGiB: 30 })
    expect(s.runners).toEqual({ min: 1, max: 10 })
    expect(s.scaling).toEqual({ slotLoadPct: 80, queueWaitMs: 2000, memoryPct: 70, scaleInPct: 60, scaleInAfterMin: 10, scaleOutAfterMin: 2, scaleOutCooldownSec: 300, scaleInCooldownSec: 300 })
    expect(s.alarms).toEqual({
      memoryPct: 85, refusalsPerMin: 1, crashesPer5Min: 5, edgeErrorsPer5Min: 5, edgeThrottlesPer5Min: 1, cloudFront5xxPct: 5,
      email: undefined, pagingTopic: false, pageEmail: undefined,
    })
    expect(s.publicEntry).toEqual({ rateLimitPer5Min: 1000, rateLimitPerKeyPer5Min: 3000, webAclArn: undefined, domainName: undefined, certificateArn: undefined, originSecretVersion: undefined })
    expect(s.runnerEnv).toEqual({})
    expect(s).toMatchObject({ egress: 'nat', natGateways: 2, logRetentionDays: 30, stackName: 'Crawlfleet', rateLimitStackOnly: false, edge: { memoryMiB: 512, timeoutSec: 120, secretsTtlSec: 300 } })
  })

  it('reads -c strings as numbers, and the container limit follows the task', () => {
    const s = read({ taskCpu: '4096', taskMemoryMiB: '8192', minRunners: '0', maxRunners: 20, rateLimitStack: 'true', egress: 'public', scaleInPct: '30' })
    expect(s.task).toMatchObject({ cpu: 4096, memoryMiB: 8192, containerMemoryMiB: 8192 })
    expect(s.runners).toEqual({ min: 0, max: 20 })
    expect(s.rateLimitStackOnly).toBe(true)
    expect(s.egress).toBe('public')
    expect(s.scaling.scaleInPct).toBe(30)
  })

  it('makes a paging topic when asked, or when a paging address is given', () => {
    expect(read({ alarmPagingTopic: 'true' }).alarms).toMatchObject({ pagingTopic: true, pageEmail: undefined })
    expect(read({ alarmPageEmail: 'oncall@example.com' }).alarms).toMatchObject({ pagingTopic: true, pageEmail: 'oncall@example.com' })
  })

  it('takes a rotated origin secret version (a UUID)', () => {
    expect(read({ originSecretVersion: 'a1b2c3d4-0000-4000-8000-1234567890ab' }).publicEntry.originSecretVersion).toBe('a1b2c3d4-0000-4000-8000-1234567890ab')
    expect(() => read({ originSecretVersion: 'AWSCURRENT' })).toThrow(/originSecretVersion/)
  })

  it('still takes originAccess=origin-secret, the one mode left', () => {
    expect(() => read({ originAccess: 'origin-secret' })).not.toThrow()
  })

  it('maps pool settings onto the runner variables and passes nothing that was not given', () => {
    const s = read({ promoteAfterUses: 5, coldTtlSec: '120,60,30', logLevel: 'debug' })
    expect(s.runnerEnv).toEqual({ CRAWLFLEET_PROMOTE_AFTER_USES: '5', CRAWLFLEET_COLD_TTL_SEC: '120,60,30', CRAWLFLEET_LOG_LEVEL: 'debug' })
    expect(operatorSettings().every(([, setting]) => setting.env.startsWith('CRAWLFLEET_'))).toBe(true)
  })

  it.each([
    [{ taskCpu: 3000 }, /taskCpu must be one of/],
    [{ taskMemoryMiB: 3072 }, /not a Fargate size for 2048/],
    [{ containerMemoryMiB: 5000 }, /containerMemoryMiB/],
    [{ minRunners: 11 }, /minRunners ≤ maxRunners/],
    [{ scaleInPct: 95 }, /scaleInPct must be a number ≥ 10 ≤ 90/],
    [{ scaleInAfterMin: 2 }, /scaleInAfterMin/],
    [{ egress: 'ipv6' }, /egress must be nat or public/],
    [{ desiredRunners: 2 }, /desiredRunners is no longer read: the service has no DesiredCount/],
    [{ scaleInMemoryPct: 30 }, /scaleInMemoryPct is no longer read: .*scaleInPct/],
    [{ scaleOutQueueDepth: 2 }, /scaleOutQueueDepth is no longer read: .*scaleOutQueueWaitMs/],
    [{ cpuTargetPct: 70 }, /cpuTargetPct is no longer read/],
    [{ originAccess: 'oac' }, /originAccess is no longer read: the oac mode is removed/],
    [{ domainName: 'api.example.com' }, /domainName and crawlfleet:certificateArn/],
    [{ logRetentionDays: 31 }, /logRetentionDays/],
    [{ coldTtlSec: '120,60' }, /coldTtlSec \(CRAWLFLEET_COLD_TTL_SEC\)/],
    [{ promoteAfterUses: 'often' }, /promoteAfterUses/],
    [{ stackName: '9lives' }, /stackName/],
  ])('refuses %o at synth, naming the key', (values, message) => {
    expect(() => read(values)).toThrow(message)
  })
})
