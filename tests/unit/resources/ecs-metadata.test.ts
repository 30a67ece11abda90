import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { parseEcsLimits, readEcsLimits } from '../../../runner/resources/ecs-metadata.ts'
import { createResourceReader, type ResourceReaderDeps } from '../../../runner/resources/resource-reader.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'

const MiB = 1024 ** 2
const GiB = 1024 ** 3

describe('parseEcsLimits', () => {
  it("takes the container's memory first, then the task's", () => {
    expect(parseEcsLimits({ Limits: { CPU: 10, Memory: 128 } }, { Limits: { CPU: 0.25, Memory: 512 } })).toEqual({
      memoryBytes: 128 * MiB,
      cpuCores: 0.25,
    })
    expect(parseEcsLimits({ Limits: { CPU: 0 } }, { Limits: { CPU: 2, Memory: 4096 } }).memoryBytes).toBe(4096 * MiB)
    expect(parseEcsLimits({ Limits: { Memory: 0 } }, { Limits: { Memory: 512 } }).memoryBytes).toBe(512 * MiB)
  })
  it("takes CPU from the task only: a container's CPU units are a relative share, not a cap", () => {
    expect(parseEcsLimits({ Limits: { CPU: 2048, Memory: 1024 } }, {})).toEqual({ memoryBytes: GiB, cpuCores: null })
  })
  it('says nothing for missing or malformed documents', () => {
    const nothing = { memoryBytes: null, cpuCores: null }
    expect(parseEcsLimits(undefined, undefined)).toEqual(nothing)
    expect(parseEcsLimits(null, 'x')).toEqual(nothing)
    expect(parseEcsLimits({ Limits: 'x' }, { Limits: { CPU: '2', Memory: -1 } })).toEqual(nothing)
  })
})

type Route = (res: import('node:http').ServerResponse) => void
const json = (body: unknown): Route => (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
const status = (code: number): Route => (res) => res.writeHead(code).end()
const hang: Route = () => {}

/** A real metadata endpoint on loopback: `${uri}` is the container document, `${uri}/task` the task's. */
async function metadataServer(routes: { container: Route; task: Route }) {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.url === '/v4/abc') routes.container(res)
    else if (req.url === '/v4/abc/task') routes.task(res)
    else status(404)(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  servers.push(server)
  return { uri: `http://127.0.0.1:${port}/v4/abc`, requests, server }
}

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

function deps(fixture: string, uri: string, over: Partial<ResourceReaderDeps> = {}): ResourceReaderDeps & { logs: string[] } {
  const logs: string[] = []
  return {
    root: fileURLToPath(new URL(`../../fixtures/cgroup/${fixture}/`, import.meta.url)),
    readFile: (p) => readFile(p, 'utf8'),
    fetch: globalThis.fetch,
    ecsMetadataUri: uri,
    clock: new FakeClock(),
    constrainedMemory: () => 2 ** 64,
    totalMemBytes: () => 16 * GiB,
    freeMemBytes: () => 10 * GiB,
    cpuCount: () => 4,
    log: (m) => logs.push(m),
    logs,
    ...over,
  }
}

describe('ECS metadata endpoint v4', () => {
  it("uses the container's memory limit ahead of the task's and the cgroup's, and the task's vCPU", async () => {
    const { uri, requests } = await metadataServer({
      container: json({ Name: 'runner', Limits: { CPU: 10, Memory: 1024 } }),
      task: json({ Family: 'crawlfleet', Limits: { CPU: 2, Memory: 4096 } }),
    })
    const r = createResourceReader(deps('v2-max', uri))
    expect(await r.limits()).toEqual({ memoryLimitBytes: GiB, memorySource: 'ecs', cpuCores: 2, cpuSource: 'ecs' })
    expect(requests.sort()).toEqual(['/v4/abc', '/v4/abc/task'])
    // usage still comes from the cgroup: 1 GiB current − 256 MiB inactive
    expect((await r.sample()).memory).toEqual({ usedBytes: 768 * MiB, limitBytes: GiB, percent: 75 })
    await r.sample()
    expect(requests).toHaveLength(2) // limits are read once
  })

  it("uses the task's limit when the container has none, on a Fargate-like tree", async () => {
    const { uri } = await metadataServer({
      container: json({ Name: 'runner', Limits: { CPU: 2 } }),
      task: json({ Limits: { CPU: 0.5, Memory: 2048 } }),
    })
    const r = createResourceReader(deps('fargate-v1', uri))
    expect(await r.limits()).toEqual({ memoryLimitBytes: 2 * GiB, memorySource: 'ecs', cpuCores: 0.5, cpuSource: 'ecs' })
  })

  it('uses the document that answered when the other fails', async () => {
    const { uri } = await metadataServer({ container: status(500), task: json({ Limits: { CPU: 1, Memory: 3072 } }) })
    expect(await readEcsLimits(uri, { fetch: globalThis.fetch, timeoutMs: 2000 })).toEqual({ memoryBytes: 3 * GiB, cpuCores: 1 })
  })

  it('falls through to the cgroup when the endpoint is down, and says so once', async () => {
    const { uri, server } = await metadataServer({ container: json({}), task: json({}) })
    servers.splice(servers.indexOf(server), 1)
    await new Promise((resolve) => server.close(resolve)) // nothing listens on the port now
    const d = deps('v2-max', uri)
    const r = createResourceReader(d)
    expect(await r.limits()).toEqual({ memoryLimitBytes: 2 * GiB, memorySource: 'cgroup-v2', cpuCores: 2, cpuSource: 'cgroup-v2' })
    await r.refresh()
    expect(d.logs.filter((l) => l.includes('ECS'))).toHaveLength(1)
  })

  it('falls through on HTTP errors and on an endpoint that never answers (bounded by the timeout)', async () => {
    const failing = await metadataServer({ container: status(503), task: status(503) })
    expect(await createResourceReader(deps('v2-max', failing.uri)).limits()).toMatchObject({ memorySource: 'cgroup-v2' })

    const hanging = await metadataServer({ container: hang, task: hang })
    const d = deps('v1-limit', hanging.uri, { ecsTimeoutMs: 100 })
    const started = performance.now()
    expect(await createResourceReader(d).limits()).toMatchObject({ memoryLimitBytes: GiB, memorySource: 'cgroup-v1' })
    // bounded by the timeout, not by the endpoint (which never answers); whether the requests reached it
    // within 100 ms depends on the machine's load, so only where they went is checked
    expect(performance.now() - started).toBeLessThan(5_000)
    for (const path of hanging.requests) expect(['/v4/abc', '/v4/abc/task']).toContain(path)
    expect(d.logs.join('\n')).toMatch(/ECS.*(timeout|aborted)/i)
  })

  it('is not asked at all when the variable is unset', async () => {
    const { uri, requests } = await metadataServer({ container: json({}), task: json({}) })
    const r = createResourceReader(deps('v2-max', uri, { ecsMetadataUri: undefined }))
    expect(await r.limits()).toMatchObject({ memorySource: 'cgroup-v2' })
    expect(requests).toEqual([])
  })
})
