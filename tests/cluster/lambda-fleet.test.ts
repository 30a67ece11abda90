import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { HMAC_SECRET, runnerIdOf, startCluster, type Cluster } from './cluster.ts'
import { occupy, singleRequestFleet, startEdgeInstances, type EdgeInstance } from './single-request-fleet.ts'

// The edge as a Lambda fleet: six independent edge processes, each holding one request at a time
// and knowing nothing of the runners' load but what it probes, in front of three real runners.
// The test plays Lambda's part: each request goes to an idle instance.

const INSTANCES = 6
let cluster: Cluster
const edges: EdgeInstance[] = []

beforeAll(async () => {
  cluster = await startCluster({ runners: 3 })
  await startEdgeInstances(cluster, INSTANCES, {
    CRAWLFLEET_PLACEMENT: 'probe',
    // what is tested is placement by load; a probe slower than the default 200 ms (both cores busy)
    // counts its runner as down, and a request whose other candidate is "down" rightly takes the busy one
    CRAWLFLEET_PROBE_TIMEOUT_MS: '5000',
  }, edges)
}, 240_000)

afterAll(async () => {
  await Promise.all(edges.map((e) => e.proc.stop('SIGTERM')))
  await cluster?.stop()
})


/** What the runner has admitted, running and queued (GET /pressure, signed). */
async function admitted(runner: Cluster['runners'][number]): Promise<number> {
  const res = await fetch(`${runner.url}/pressure`, { headers: signRequest(HMAC_SECRET, 'GET', '/pressure', Date.now(), '') })
  const p = (await res.json()) as { pool: { running: number; queued: number } }
  return p.pool.running + p.pool.queued
}

describe('cluster: the edge as a fleet of single-request instances', () => {
  it('sends nothing to a runner made busy behind the edges’ backs, though no instance has ever talked to it', async () => {
    const [busy] = cluster.runners
    const stopBusy = new AbortController()
    // more than the fleet can have in flight anywhere else: when an instance places its request, at
    // most INSTANCES - 1 others are in flight, so either other runner is lighter than the busy one
    const occupying = INSTANCES + 2
    const occupied = occupy(cluster, busy, occupying, stopBusy.signal)
    try {
      await expect.poll(() => admitted(busy), { timeout: 30_000 }).toBe(occupying)
      const send = singleRequestFleet(edges)
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => send({ url: `${cluster.site.url}/slow?ms=300&i=${i}` })))
      // every answer 200 also says no instance was ever handed a second request (EDGE_INSTANCE_BUSY)
      expect(results.filter((r) => r.status !== 200)).toEqual([])
      const served = results.map((r) => r.runner)
      expect(served.filter((r) => r === runnerIdOf(busy))).toEqual([])
      expect(new Set(served).size).toBe(2)
      expect(await admitted(busy)).toBe(occupying)
    } finally {
      stopBusy.abort()
      await occupied
    }
  }, 120_000)

  it('keeps answering every request when a runner dies, from the survivors', async () => {
    const victim = cluster.runners[2]
    await victim.stop('SIGKILL')
    const send = singleRequestFleet(edges)
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => send({ url: `${cluster.site.url}/slow?ms=100&after=${i}` })))
    expect(results.filter((r) => r.status !== 200)).toEqual([])
    expect(results.filter((r) => r.runner === runnerIdOf(victim))).toEqual([])
    expect(new Set(results.map((r) => r.runner))).toEqual(new Set(cluster.runners.slice(0, 2).map(runnerIdOf)))
  }, 120_000)
})
