import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rankRunners } from '../../edge/routing/rendezvous.ts'
import { launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import { CLUSTER_STARTUP_TIMEOUT_MS, edgeIdOf, runnerIdOf, startCluster, type Cluster } from './cluster.ts'

let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster({ runners: 3 })
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await cluster?.stop()
})

describe('cluster: a runner killed mid-stream', () => {
  it('leaves every request answered, including the one it was rendering, and later ones go to the survivors', async () => {
    // every third request carries a launch signature, which pins it to one runner: the victim
    const pinned = { text_mode: true }
    const sig = signatureOf(launchOptionsFrom(pinned))
    const order = rankRunners(sig, cluster.runners.map(edgeIdOf))
    const victim = cluster.runners.find((r) => edgeIdOf(r) === order[0])!
    const nextInOrder = runnerIdOf(cluster.runners.find((r) => edgeIdOf(r) === order[1])!)
    const total = 24
    const killAt = 9 // a pinned request: the victim is rendering it when it dies
    const results: { i: number; status: number; runner: string; pinned: boolean; startedAfterKill: boolean; answeredBeforeKill: boolean }[] = []
    let killed = false
    // SIGKILL the moment the victim's browser asks the site for request 9's page; a request started
    // after this point was sent after the signal
    const kill = cluster.site.waitForRequest(`/slow?pin=${killAt}&`).then(async () => {
      const exited = victim.stop('SIGKILL')
      killed = true
      await exited
    })
    let next = 0
    const worker = async () => {
      while (next < total) {
        const i = next++
        const isPinned = i % 3 === 0
        const startedAfterKill = killed
        const res = await cluster.post('/html', {
          url: `${cluster.site.url}/slow?pin=${isPinned ? i : 'no'}&ms=${isPinned ? 800 : 200}&i=${i}`,
          ...(isPinned ? { browser_config: pinned } : {}),
        })
        results.push({ i, status: res.status, runner: res.headers.get('x-runner-id') ?? '', pinned: isPinned, startedAfterKill, answeredBeforeKill: !killed })
        await res.body?.cancel()
      }
    }
    await Promise.all([worker(), worker(), worker()])
    await kill
    expect(results).toHaveLength(total)
    expect(results.filter((r) => r.status !== 200)).toEqual([])
    const victimId = runnerIdOf(victim)
    const pinnedBefore = results.filter((r) => r.pinned && r.answeredBeforeKill)
    expect(pinnedBefore.length).toBeGreaterThan(0)
    expect(pinnedBefore.filter((r) => r.runner !== victimId)).toEqual([])
    expect(results.find((r) => r.i === killAt)!.runner).toBe(nextInOrder)
    // how many requests started before the kill depends on how fast the machine took request 9 to
    // the site; what matters is that later ones exist, pinned ones among them
    const later = results.filter((r) => r.startedAfterKill)
    expect(later.length).toBeGreaterThanOrEqual(3)
    expect(later.filter((r) => r.pinned).length).toBeGreaterThan(0)
    expect(later.filter((r) => r.runner === victimId)).toEqual([])
    expect(later.filter((r) => r.pinned).every((r) => r.runner === nextInOrder)).toBe(true)
  })
})
