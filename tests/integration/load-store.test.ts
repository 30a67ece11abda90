import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../edge/core/logger.ts'
import { redisLoadStore } from '../../edge/routing/load-store.ts'
import { LOAD_STORE_KEYS, LOAD_STORE_STALE_MS } from '../../runner/contract/load-store.ts'
import { HEADER } from '../../runner/contract/http-names.ts'
import { EDGE_METRIC } from '../../runner/contract/metric-names.ts'
import { createLoadPublisher, redisLoadStoreWriter, type LoadStoreWriter } from '../../runner/metrics/load-publisher.ts'
import { FakeClock } from '../helpers/fake-clock.ts'
import { countConnections } from '../helpers/listeners.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.ts'
import { connectionRefused, fakeClock, fakeTransport, hostOf, runnerAnswer, runnerUrls, testEdge } from '../unit/edge/support.ts'

// The load store against a real redis-server: the edge's pick, the runner's writes, and the edge
// forwarding by it (runner/contract/load-store.ts).

let server: RedisServer
let redis: Redis
const closers: (() => Promise<unknown>)[] = []
const urls = runnerUrls(3)
const ids = urls.map((u) => new URL(u).host).sort()

beforeAll(async () => {
  server = await startRedisServer()
  redis = new Redis(server.url)
})
afterAll(async () => {
  await redis.quit()
  await server.stop()
})
beforeEach(async () => void (await redis.flushall()))
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const count = async (id: string) => Number(await redis.zscore(LOAD_STORE_KEYS.load, id))
const store = (url = server.url, timeoutMs = 1000) => {
  const warnings: object[] = []
  const s = redisLoadStore({ url, timeoutMs, retryAfterMs: 5000, clock: fakeClock(), logger: { ...silentLogger, warn: (obj) => void warnings.push(obj) } })
  closers.push(() => s.close())
  return Object.assign(s, { warnings })
}
const writer = async (): Promise<LoadStoreWriter> => {
  const w = await redisLoadStoreWriter(server.url)
  closers.push(() => w.close())
  return w
}
/** the runners at these counts, as their own writes put them there */
const publishCounts = async (counts: readonly number[]) => {
  const w = await writer()
  for (let i = 0; i < counts.length; i++) await w.publish(ids[i], 0, counts[i])
}

describe('load store: the edge’s pick', () => {
  it('takes the least loaded runner and counts the request against it at once, ties to the lowest id', async () => {
    await publishCounts([2, 0, 1])
    const s = store()
    const picks = [await s.pick([]), await s.pick([]), await s.pick([])]
    expect(picks).toEqual([ids[1], ids[1], ids[2]])
    expect([await count(ids[0]), await count(ids[1]), await count(ids[2])]).toEqual([2, 2, 2])
  })

  it('skips the runners it is told to, and drops one not heard from for the stale time', async () => {
    await publishCounts([0, 0, 1])
    const s = store()
    expect(await s.pick([ids[0]])).toBe(ids[1])
    const [sec] = await redis.time()
    await redis.zadd(LOAD_STORE_KEYS.seen, Number(sec) * 1000 - LOAD_STORE_STALE_MS - 1000, ids[0])
    expect(await s.pick([])).toBe(ids[1]) // ids[0] (at 0) is stale; ids[1] and ids[2] are at 1: the lower id
    expect(await redis.zscore(LOAD_STORE_KEYS.load, ids[0])).toBeNull()
    expect(await redis.zscore(LOAD_STORE_KEYS.seen, ids[0])).toBeNull()
  })

  it('knows no runner in an empty store, and gives back a pick whose request never left', async () => {
    const s = store()
    expect(await s.pick([])).toBeUndefined()
    await publishCounts([0])
    expect(await s.pick([])).toBe(ids[0])
    expect(await count(ids[0])).toBe(1)
    s.release(ids[0])
    await expect.poll(() => count(ids[0])).toBe(0)
  })

  it('answers nothing, without waiting past its timeout, when the store does not answer, and leaves it alone for a while', async () => {
    const silent = await countConnections('127.0.0.1') // accepts and never answers
    closers.push(() => silent.close())
    const s = store(`redis://127.0.0.1:${silent.port}`, 100)
    const started = performance.now()
    expect(await s.pick([])).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(2000)
    expect(await s.pick([])).toBeUndefined()
    expect(silent.count()).toBeLessThanOrEqual(1)
  })
})

describe('load store: the runner’s writes', () => {
  it('sets its own count when the store lacks it, adds its changes, and withdraws when it stops', async () => {
    const clock = new FakeClock()
    let own = 3
    const p = createLoadPublisher({ id: ids[0], count: () => own, writer: await writer(), clock, log: silentLogger })
    p.start()
    await p.flushed()
    expect(await count(ids[0])).toBe(3)
    own = 4
    p.changed(+1)
    own = 2
    p.changed(-1)
    p.changed(-1)
    await p.flushed()
    expect(await count(ids[0])).toBe(2)
    await p.stop()
    expect(await redis.zscore(LOAD_STORE_KEYS.load, ids[0])).toBeNull()
    expect(await redis.zscore(LOAD_STORE_KEYS.seen, ids[0])).toBeNull()
  })

  it('corrects a difference the store keeps over two heartbeats (a pick lost with its edge), not one that moves', async () => {
    const clock = new FakeClock()
    const own = 1
    const p = createLoadPublisher({ id: ids[0], count: () => own, writer: await writer(), clock, heartbeatMs: 1000, log: silentLogger })
    closers.push(() => p.stop())
    p.start()
    await p.flushed()
    const beat = async () => {
      await clock.whenSleeping()
      await clock.advance(1000)
      await p.flushed()
    }
    // a pick on its way, gone by the next heartbeat: never corrected
    await redis.zincrby(LOAD_STORE_KEYS.load, 1, ids[0])
    await beat()
    await redis.zincrby(LOAD_STORE_KEYS.load, -1, ids[0])
    await beat()
    expect(await count(ids[0])).toBe(1)
    // a pick whose request never comes: the same +2 at two heartbeats, then corrected
    await redis.zincrby(LOAD_STORE_KEYS.load, 2, ids[0])
    await beat()
    expect(await count(ids[0])).toBe(3)
    await beat()
    await p.flushed()
    expect(await count(ids[0])).toBe(1)
  })
})

describe('edge forwarding with the load store', () => {
  const DEFAULT_PAGE = { url: 'http://93.184.215.14/' }

  it('sends a default-signature request to the runner the store picks, marked as counted there', async () => {
    await publishCounts([3, 3, 0])
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post } = testEdge({ transport, runners: urls, store: store() })
    expect((await post('/html', DEFAULT_PAGE)).status).toBe(200)
    expect(sent.map(hostOf)).toEqual([ids[2]])
    expect(sent[0].headers.get(HEADER.storePick)).toBe('1')
    expect(await count(ids[2])).toBe(1)
  })

  it('takes a picked runner it cannot reach out of the store, and moves on', async () => {
    await publishCounts([3, 3, 0])
    const { transport, sent } = fakeTransport((req) => (hostOf(req) === ids[2] ? connectionRefused() : runnerAnswer(hostOf(req))))
    const { post } = testEdge({ transport, runners: urls, store: store() })
    expect((await post('/html', DEFAULT_PAGE)).status).toBe(200)
    expect(sent.map(hostOf)[0]).toBe(ids[2])
    expect(sent).toHaveLength(2)
    expect(sent[1].headers.has(HEADER.storePick)).toBe(false)
    await expect.poll(() => redis.zscore(LOAD_STORE_KEYS.load, ids[2])).toBeNull()
    expect(await redis.zscore(LOAD_STORE_KEYS.seen, ids[2])).toBeNull()
  })

  it('gives back a pick its discovery does not know, and places the request without it', async () => {
    const w = await writer()
    await w.publish('10.9.9.9:11235', 0, 0) // a runner this edge's discovery does not list
    await publishCounts([3, 3, 3])
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post, metrics } = testEdge({ transport, runners: urls, store: store() })
    expect((await post('/html', DEFAULT_PAGE)).status).toBe(200)
    expect(ids).toContain(hostOf(sent[0]))
    expect(sent[0].headers.has(HEADER.storePick)).toBe(false)
    expect(metrics).toContain(EDGE_METRIC.loadStoreFallback)
    await expect.poll(() => count('10.9.9.9:11235')).toBe(0)
  })

  it('places the request without the store, and counts that, when the store does not answer', async () => {
    const silent = await countConnections('127.0.0.1')
    closers.push(() => silent.close())
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post, metrics } = testEdge({ transport, runners: urls, store: store(`redis://127.0.0.1:${silent.port}`, 100) })
    expect((await post('/html', DEFAULT_PAGE)).status).toBe(200)
    expect(sent).toHaveLength(1)
    expect(sent[0].headers.has(HEADER.storePick)).toBe(false)
    expect(metrics).toContain(EDGE_METRIC.loadStoreFallback)
  })

  it('keeps a launch signature on its rendezvous runner, never asking the store', async () => {
    await publishCounts([0, 0, 0])
    const { transport, sent } = fakeTransport((req) => runnerAnswer(hostOf(req)))
    const { post } = testEdge({ transport, runners: urls, store: store() })
    for (let i = 0; i < 3; i++) expect((await post('/html', { ...DEFAULT_PAGE, browser_config: { text_mode: true } })).status).toBe(200)
    expect(new Set(sent.map(hostOf)).size).toBe(1)
    expect(sent.every((r) => !r.headers.has(HEADER.storePick))).toBe(true)
    expect([await count(ids[0]), await count(ids[1]), await count(ids[2])]).toEqual([0, 0, 0])
  })
})
