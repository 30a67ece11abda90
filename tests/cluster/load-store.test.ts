import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOAD_STORE_KEYS } from '../../runner/contract/load-store.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.ts'
import { edgeIdOf, runnerIdOf, startCluster, type Cluster } from './cluster.ts'
import { occupy, singleRequestFleet, startEdgeInstances, type EdgeInstance } from './single-request-fleet.ts'

// The load store in a cluster of real processes: a redis-server, three runners publishing their
// load there, and six independent single-request edge processes (Lambda stand-ins) picking from
// it. Without the store these edges fall back to their own memory of loads, which holds nothing:
// they would place at random (runner/contract/load-store.ts, README "Edge as a Lambda fleet").

const INSTANCES = 6
let redisServer: RedisServer
let redis: Redis
let cluster: Cluster
const edges: EdgeInstance[] = []

beforeAll(async () => {
  redisServer = await startRedisServer()
  redis = new Redis(redisServer.url)
  cluster = await startCluster({ runners: 3, runnerEnv: { CRAWLFLEET_LOAD_STORE_URL: redisServer.url, CRAWLFLEET_ADVERTISED_HOST: '127.0.0.1' } })
  await startEdgeInstances(cluster, INSTANCES, {
    CRAWLFLEET_LOAD_STORE_URL: redisServer.url,
    // a pick slower than this (both cores busy) would be placed without the store: not what is tested
    CRAWLFLEET_LOAD_STORE_TIMEOUT_MS: '5000',
    CRAWLFLEET_PLACEMENT: 'reported',
  }, edges)
}, 240_000)

afterAll(async () => {
  await Promise.all(edges.map((e) => e.proc.stop('SIGTERM')))
  await cluster?.stop()
  await redis?.quit()
  await redisServer?.stop()
})

const stored = async (r: Cluster['runners'][number]) => {
  const score = await redis.zscore(LOAD_STORE_KEYS.load, edgeIdOf(r))
  return score === null ? null : Number(score)
}


describe('cluster: edges placing by the load store', () => {
  it('holds every runner, at 0 while idle', async () => {
    for (const r of cluster.runners) await expect.poll(() => stored(r), { timeout: 30_000 }).toBe(0)
  })

  it('sends nothing to a runner made busy behind the edges’ backs, and every count comes back down', async () => {
    const [busy, ...others] = cluster.runners
    const stopBusy = new AbortController()
    // more than the fleet can have in flight elsewhere: when an instance picks, at most INSTANCES - 1
    // others are in flight, so either other runner holds less than the busy one
    const occupying = INSTANCES + 2
    const occupied = occupy(cluster, busy, occupying, stopBusy.signal)
    try {
      await expect.poll(() => stored(busy), { timeout: 30_000 }).toBe(occupying)
      const send = singleRequestFleet(edges)
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => send({ url: `${cluster.site.url}/slow?ms=300&i=${i}` })))
      expect(results.filter((r) => r.status !== 200)).toEqual([])
      const served = results.map((r) => r.runner)
      expect(served.filter((r) => r === runnerIdOf(busy))).toEqual([])
      expect(new Set(served)).toEqual(new Set(others.map(runnerIdOf)))
      for (const r of others) await expect.poll(() => stored(r), { timeout: 10_000 }).toBe(0)
      expect(await stored(busy)).toBe(occupying)
    } finally {
      stopBusy.abort()
      await occupied
    }
    await expect.poll(() => stored(busy), { timeout: 30_000 }).toBe(0)
    expect(edges.map((e) => e.proc.output()).join('')).not.toMatch(/load store not answering/)
  }, 120_000)

  it('loses a runner that stops (it takes itself out) and one that dies (the first edge that cannot reach it takes it out), answering every request from the one left', async () => {
    const [survivor, dying, leaving] = cluster.runners
    await leaving.stop('SIGTERM')
    expect(await stored(leaving)).toBeNull()
    await dying.stop('SIGKILL')
    // the dead runner is still in the store, at 0: the next picks go to it until an edge finds it gone
    expect(await stored(dying)).toBe(0)
    const send = singleRequestFleet(edges)
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send({ url: `${cluster.site.url}/slow?ms=100&after=${i}` })))
    expect(results.filter((r) => r.status !== 200)).toEqual([])
    expect(new Set(results.map((r) => r.runner))).toEqual(new Set([runnerIdOf(survivor)]))
    expect(await stored(dying)).toBeNull()
    await expect.poll(() => stored(survivor), { timeout: 10_000 }).toBe(0)
  }, 120_000)
})
