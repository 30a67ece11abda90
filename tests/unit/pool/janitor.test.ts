import { describe, expect, it } from 'vitest'
import { Janitor } from '../../../runner/pool/janitor.ts'
import type { SweepPlan } from '../../../runner/pool/janitor-policy.ts'
import { DEFAULT_JANITOR_SETTINGS } from '../../../runner/pool/pool-settings.ts'
import type { BrowserView } from '../../../runner/pool/types.ts'
import { FakeClock, flushPromises } from '../../helpers/fake-clock.ts'
import { FakePressure } from '../../helpers/fake-launcher.ts'

function setup(browsers: BrowserView[] = []) {
  const clock = new FakeClock()
  const pressure = new FakePressure(clock)
  const applied: SweepPlan[] = []
  const events: string[] = []
  const pool = { view: () => browsers, apply: (plan: SweepPlan) => applied.push(plan) }
  const swept: SweepPlan[] = []
  const janitor = new Janitor({ pool, pressure, clock, settings: DEFAULT_JANITOR_SETTINGS, log: (e) => events.push(e), onSweep: (p) => swept.push(p) })
  return { clock, pressure, applied, swept, events, janitor, startMs: clock.now() }
}

describe('Janitor', () => {
  it('sleeps first and reads pressure after the sleep, so the pass sees the pressure of now', async () => {
    const { clock, pressure, applied, janitor, startMs } = setup()
    pressure.percent = 95
    janitor.start()
    await clock.whenSleeping()
    expect(pressure.sampledAtMs).toEqual([])
    pressure.percent = 10 // what it was at start must not matter
    await clock.advance(60_000)
    expect(pressure.sampledAtMs).toEqual([startMs + 60_000])
    expect(applied.map((p) => p.level)).toEqual(['LOW'])
    await janitor.stop()
  })

  it('sleeps for the interval of the level it last saw', async () => {
    const { clock, pressure, applied, janitor } = setup()
    pressure.percent = 90
    janitor.start()
    await clock.advance(60_000)
    expect(applied.map((p) => p.level)).toEqual(['HIGH'])
    expect(clock.sleeps.map((s) => s.ms)).toEqual([60_000, 10_000])
    pressure.percent = 70
    await clock.advance(10_000)
    expect(clock.sleeps.map((s) => s.ms)).toEqual([60_000, 10_000, 30_000])
    expect(janitor.level).toBe('MEDIUM')
    await janitor.stop()
  })

  it('runs a pass at once when nudged, then sleeps again', async () => {
    const { clock, pressure, applied, janitor, startMs } = setup()
    janitor.start()
    await clock.whenSleeping()
    await clock.advance(5_000)
    janitor.nudge()
    await flushPromises()
    expect(pressure.sampledAtMs).toEqual([startMs + 5_000])
    expect(applied).toHaveLength(1)
    expect(clock.pendingSleeps).toBe(1)
    await janitor.stop()
  })

  it('hands the pool the retirements the policy picks', async () => {
    const stale: BrowserView = {
      id: 'b1', signature: 's', tier: 'cold', state: 'active', leases: 0, uses: 1, pagesServed: 1,
      launchedAtMs: 0, lastUsedAtMs: 1_000_000 - 300_000, pid: undefined,
    }
    const { clock, applied, swept, janitor } = setup([stale])
    janitor.start()
    await clock.advance(60_000)
    expect(applied[0]?.retire).toEqual([{ id: 'b1', reason: 'ttl' }])
    expect(swept).toEqual(applied)
    await janitor.stop()
  })

  it('keeps going when a pressure read fails', async () => {
    const { clock, pressure, applied, events, janitor } = setup()
    pressure.failNext = true
    janitor.start()
    await clock.advance(60_000)
    expect(events).toEqual(['janitor.failed'])
    expect(applied).toHaveLength(0)
    await clock.advance(60_000)
    expect(applied).toHaveLength(1)
    await janitor.stop()
  })

  it('stops: the sleep is cancelled and no pass runs after', async () => {
    const { clock, pressure, janitor } = setup()
    janitor.start()
    await clock.whenSleeping()
    await janitor.stop()
    expect(clock.pendingSleeps).toBe(0)
    await clock.advance(600_000)
    expect(pressure.sampledAtMs).toEqual([])
  })
})
