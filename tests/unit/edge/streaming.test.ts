import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PNG_BYTES, startFakeRunner, testEdge, type FakeRunner } from './support.ts'

// These use the real transport (fetch) against node:http fake runners on loopback.
const realFetch = (url: string, init: RequestInit) => fetch(url, init)
const started: FakeRunner[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.close()))
})

async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as { port: number }
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

describe('streaming passthrough', () => {
  it('hands NDJSON lines to the client as the runner writes them, without waiting for the end', async () => {
    let sendRest!: () => void
    const rest = new Promise<void>((resolve) => (sendRest = resolve))
    const runner = await startFakeRunner((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-runner-id': 'stream-runner', 'x-crawlfleet-load': '0.5' })
      res.write('{"url":"a","success":true}\n')
      void rest.then(() => res.end('{"url":"b","success":true}\n'))
    })
    started.push(runner)
    const { post } = testEdge({ transport: realFetch, runners: [runner.url], allowCidrs: [] })
    const res = await post('/crawl/stream', { urls: ['http://93.184.215.14/a', 'http://93.184.215.14/b'] })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('x-runner-id')).toBe('stream-runner')
    const reader = res.body!.getReader()
    const first = await reader.read() // would never arrive if the edge buffered the whole answer
    expect(new TextDecoder().decode(first.value)).toBe('{"url":"a","success":true}\n')
    sendRest()
    let tail = ''
    for (let r = await reader.read(); !r.done; r = await reader.read()) tail += new TextDecoder().decode(r.value)
    expect(tail).toBe('{"url":"b","success":true}\n')
  })

  it('passes binary answers (PNG) through unchanged', async () => {
    const runner = await startFakeRunner((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG_BYTES.length), 'x-runner-id': 'png-runner' })
      res.end(PNG_BYTES)
    })
    started.push(runner)
    const res = await testEdge({ transport: realFetch, runners: [runner.url] }).post('/screenshot', { url: 'http://93.184.215.14/' }, { accept: 'image/png' })
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG_BYTES)).toBe(true)
  })

  it('moves past a runner whose port is closed to one that answers', async () => {
    const seen: string[] = []
    const runner = await startFakeRunner((req, res) => {
      seen.push(req.headers['accept'] ?? '')
      res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': 'alive' })
      res.end('{"success":true}')
    })
    started.push(runner)
    const dead = `http://127.0.0.1:${await closedPort()}`
    const { post } = testEdge({ transport: realFetch, runners: [dead, runner.url] })
    for (let i = 0; i < 6; i++) {
      const res = await post('/html', { url: 'http://93.184.215.14/', browser_config: { extra_args: [`--lang=x${'abcdef'[i]}`] } }, { accept: 'application/json' })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-runner-id')).toBe('alive')
    }
    expect(seen).toHaveLength(6)
    expect(seen.every((a) => a === 'application/json')).toBe(true)
  })

  it('sends default-signature requests to the less loaded runner, judged by x-crawlfleet-load', async () => {
    const hits = { busy: 0, idle: 0 }
    const busy = await startFakeRunner((_req, res) => {
      hits.busy++
      res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': 'busy', 'x-crawlfleet-load': '3.0' })
      res.end('{}')
    })
    const idle = await startFakeRunner((_req, res) => {
      hits.idle++
      res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': 'idle', 'x-crawlfleet-load': '0.0' })
      res.end('{}')
    })
    started.push(busy, idle)
    const { post } = testEdge({ transport: realFetch, runners: [busy.url, idle.url] })
    // the first answer from each tells the edge its load; afterwards the idle one wins every choice
    while (hits.busy === 0 || hits.idle === 0) await post('/html', { url: 'http://93.184.215.14/' })
    const before = { ...hits }
    for (let i = 0; i < 20; i++) await post('/html', { url: 'http://93.184.215.14/' })
    expect(hits.idle - before.idle).toBe(20)
    expect(hits.busy).toBe(before.busy)
  })
})
