import { describe, expect, it } from 'vitest'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, requestWith } from '../../helpers/fake-launcher.ts'

const signal = () => new AbortController().signal
const [A, B, C] = ['--mute-audio', '--hide-scrollbars', '--disable-breakpad'].map((f) => requestWith(f))

describe('BrowserPool: launch turns', () => {
  it('launches hot/cold browsers plan().concurrentLaunches at a time, in the order they were asked for', async () => {
    const { pool, launcher } = fakePool({}, { concurrentLaunches: 1 })
    await pool.start()
    launcher.mode = 'manual'
    const leases = [A, B, C].map((req) => pool.acquire(req, signal()))
    await launcher.whenLaunched(2)
    await flushPromises()
    expect(launcher.launches).toHaveLength(2) // the permanent, then A alone
    launcher.launches[1]!.succeed()
    await launcher.whenLaunched(3)
    await flushPromises()
    expect(launcher.launches.map((l) => l.options)).toEqual([expect.anything(), A.launch, B.launch])
    launcher.launches[2]!.fail() // a failed launch hands its turn on too
    await launcher.whenLaunched(4)
    launcher.launches[3]!.succeed()
    const [a, b, c] = await Promise.allSettled(leases)
    expect([a.status, b.status, c.status]).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(launcher.launches[3]!.options).toEqual(C.launch)
  })

  it('never makes the permanent browser wait for a turn', async () => {
    const { pool, launcher } = fakePool({}, { concurrentLaunches: 1 })
    launcher.mode = 'manual'
    const hot = pool.acquire(A, signal()) // holds the only turn
    await launcher.whenLaunched(1)
    const started = pool.start()
    await launcher.whenLaunched(2) // while the hot launch still holds the only turn
    expect(launcher.launches[1]!.options).toEqual(DEFAULT_LAUNCH)
    launcher.launches[1]!.succeed()
    await started
    expect(pool.isPermanentUp()).toBe(true)
    expect(pool.view().find((b) => b.signature === DEFAULT_SIGNATURE)?.tier).toBe('permanent')
    launcher.launches[0]!.succeed()
    await hot
  })
})
