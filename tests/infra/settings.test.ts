import { describe, expect, it } from 'vitest'
import { readSettings } from '../../infra/lib/settings.ts'
import { operatorSettings } from '../../runner/contract/settings/runner-settings.ts'

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] })
const read = (values: Record<string, unknown> = {}) => readSettings(context(Object.fromEntries(Object.entries(values).map(([k, v]) => [`crawlfleet:${k}`, v]))))

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const s = read()
    expect(s.task).toEqual({ cpu: 2048, memoryMiB: 4096, containerMemoryMiB: 4096, ephemeralStorageGiB: 30 })
    expect(s.runners).toEqual({ desired: 2, min: 1, max: 10 })
    expect(s.scaling).toEqual({ scaleOutMemoryPct: 70, scaleInMemoryPct: 30, scaleOutQueueDepth: 2, cpuTargetPct: 70 })
    expect(s.alarms).toEqual({ memoryPct: 85, refusalsPerMin: 1, crashesPer5Min: 5, edgeErrorsPer5Min: 5, email: undefined })
    expect(s.publicEntry).toEqual({ originAccess: 'origin-secret', rateLimitPer5Min: 1000, webAclArn: undefined, domainName: undefined, certificateArn: undefined })
    expect(s.runnerEnv).toEqual({})
    expect(s).toMatchObject({ natGateways: 2, logRetentionDays: 30, stackName: 'Crawlfleet', rateLimitStackOnly: false, edge: { memoryMiB: 512, timeoutSec: 120 } })
  })

  it('reads -c strings as numbers, and the container limit follows the task', () => {
    const s = read({ taskCpu: '4096', taskMemoryMiB: '8192', desiredRunners: '3', maxRunners: 20, rateLimitStack: 'true' })
    expect(s.task).toMatchObject({ cpu: 4096, memoryMiB: 8192, containerMemoryMiB: 8192 })
    expect(s.runners).toEqual({ desired: 3, min: 1, max: 20 })
    expect(s.rateLimitStackOnly).toBe(true)
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
    [{ minRunners: 3, desiredRunners: 2 }, /minRunners ≤ desiredRunners ≤ maxRunners/],
    [{ scaleInMemoryPct: 80 }, /scaleInMemoryPct/],
    [{ originAccess: 'open' }, /originAccess/],
    [{ domainName: 'api.example.com' }, /domainName and crawlfleet:certificateArn/],
    [{ logRetentionDays: 31 }, /logRetentionDays/],
    [{ coldTtlSec: '120,60' }, /coldTtlSec \(CRAWLFLEET_COLD_TTL_SEC\)/],
    [{ promoteAfterUses: 'often' }, /promoteAfterUses/],
    [{ stackName: '9lives' }, /stackName/],
  ])('refuses %o at synth, naming the key', (values, message) => {
    expect(() => read(values)).toThrow(message)
  })
})
