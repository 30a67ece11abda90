import { readFile, writeFile } from 'node:fs/promises'
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { expect } from 'vitest'
import { listProcessTree } from '../../runner/browser/process-tree.ts'
import { commandLine, processesTagged } from './processes.ts'

// Shared by the fault-injection and fuzz tests: a small client for one runner (or edge), the
// /pressure read model, process inspection for Chromium trees, and the shape every error must have.

export interface BrowserInfo {
  readonly id: string
  readonly tier: 'permanent' | 'hot' | 'cold'
  readonly signature: string
  readonly state: string
  readonly pid: number
  readonly leases: number
}

export interface Pressure {
  readonly available: boolean
  readonly reason: string
  readonly pool: {
    readonly permanent: number
    readonly hot: number
    readonly cold: number
    readonly leased: number
    readonly queued: number
    readonly running: number
    readonly spares: number
    readonly browsers: readonly BrowserInfo[]
  }
  readonly counters: {
    readonly launches: number
    readonly crashes: number
    readonly evictions: number
    readonly refusals: Readonly<Record<string, number>>
  }
}

export interface ErrorBody {
  success: false
  error: { code: string; message: string; field?: string; rule?: string; retry_after_sec?: number }
}

export interface Client {
  readonly url: string
  post(path: string, body: unknown, o?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>
  /** a body sent as given: bytes, text, or a stream */
  raw(path: string, body: BodyInit, headers?: Record<string, string>): Promise<Response>
  pressure(): Promise<Pressure>
  /** polls /pressure until `ok` holds; the pool works on its own clock, so the test watches its effect */
  until(ok: (p: Pressure) => boolean, o?: { timeoutMs?: number; what?: string }): Promise<Pressure>
}

export function client(url: string): Client {
  const pressure = async () => (await (await fetch(`${url}/pressure`)).json()) as Pressure
  return {
    url,
    post: (path, body, o = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(body),
        signal: o.signal,
      }),
    raw: (path, body, headers = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit),
    pressure,
    async until(ok, o = {}) {
      const end = Date.now() + (o.timeoutMs ?? 15_000)
      for (;;) {
        const p = await pressure()
        if (ok(p)) return p
        if (Date.now() > end) throw new Error(`${o.what ?? 'condition'} not reached; last /pressure pool: ${JSON.stringify(p.pool)}`)
        // /pressure is a read model with no change feed: polling it is the only way to watch
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

/** The pool is at rest: nothing leased, running or queued. */
export const idle = (p: Pressure): boolean => p.pool.leased === 0 && p.pool.running === 0 && p.pool.queued === 0

/**
 * Every non-2xx answer: JSON `{success:false,error:{code,message}}`, a field on every 400, a
 * Retry-After on every 429/503. Returns the parsed body.
 */
export async function expectCleanError(res: Response, context = ''): Promise<ErrorBody> {
  const text = await res.text()
  const where = `${context} → ${res.status} ${text.slice(0, 300)}`
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/)
  let body: ErrorBody
  try {
    body = JSON.parse(text) as ErrorBody
  } catch {
    throw new Error(`not JSON: ${where}`)
  }
  expect(body.success, where).toBe(false)
  expect(typeof body.error?.code, where).toBe('string')
  expect(typeof body.error?.message, where).toBe('string')
  if (res.status === 400) {
    expect(body.error.code, where).toBe('INVALID_FIELD')
    expect(typeof body.error.field, where).toBe('string')
  }
  if (res.status === 429 || res.status === 503) expect(Number(res.headers.get('retry-after')), where).toBeGreaterThan(0)
  return body
}

/** A 200 with a JSON body, or a clean error from `allowed` (codes); never anything else. */
export async function expectAnsweredWith(res: Response, allowed: Readonly<Record<number, readonly string[]>>, context = ''): Promise<unknown> {
  if (res.status === 200) return res.json()
  const codes = allowed[res.status]
  const body = await expectCleanError(res, context)
  expect(codes, `${context}: unexpected ${res.status} ${JSON.stringify(body)}`).toBeDefined()
  expect(codes, `${context}: unexpected code for ${res.status}`).toContain(body.error.code)
  return body
}

/** Processes of `browserPid`'s tree (the browser excluded) whose command line holds `needle` (e.g. `--type=renderer`). */
export async function childProcesses(browserPid: number, needle = ''): Promise<number[]> {
  const found: number[] = []
  for (const pid of await listProcessTree(browserPid)) {
    if (pid === browserPid) continue
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmd.includes(needle)) found.push(pid)
  }
  return found
}

/** SIGKILL, tolerating a process that is already gone. Only ever called with pids from our own runner's tree. */
export function sigkill(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
    }
  }
}

/**
 * Tagged Chromium processes that belong to no live browser of the pool: orphans (re-parented away)
 * or leaks (still the runner's children), described by their command lines.
 * Polled for up to `timeoutMs`: the children of a killed browser notice its death a moment later.
 */
export async function orphanChromium(tag: string, pressure: () => Promise<Pressure>, timeoutMs = 10_000): Promise<string[]> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const p = await pressure()
    const owned = new Set<number>()
    for (const b of p.pool.browsers) for (const pid of await listProcessTree(b.pid)) owned.add(pid)
    const orphans: string[] = []
    for (const pid of await processesTagged(tag)) {
      const cmd = await commandLine(pid)
      // the runner's own helpers (tsx starts esbuild) carry the tag too; only Chromium counts
      if (!owned.has(pid) && /chrom/i.test(cmd)) orphans.push(`${pid} ${cmd.slice(0, 160)}`)
    }
    if (orphans.length === 0 || Date.now() > end) return orphans
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Polls until no process carries the tag: Chromium notices its pipe closing a moment after the runner goes. */
export async function untilNoneTagged(tag: string, timeoutMs = 10_000): Promise<number[]> {
  const end = Date.now() + timeoutMs
  let left = await processesTagged(tag)
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100))
    left = await processesTagged(tag)
  }
  return left
}

export interface MemoryStatus {
  readonly rssBytes: number
  /** the peak RSS since start, or since resetPeakRss() */
  readonly peakRssBytes: number
}

export async function memoryStatus(pid: number): Promise<MemoryStatus> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') }
}

/** Resets VmHWM to the current RSS (Linux clear_refs "5"); false when the kernel does not allow it. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  return writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  )
}

export interface WatchedSite {
  readonly url: string
  /** resolves when a request whose path starts with `prefix` has arrived */
  arrived(prefix: string): Promise<void>
  /** paths of the requests that have arrived so far, in order */
  readonly paths: readonly string[]
  /** resolves when `n` requests whose paths start with `prefix` have arrived */
  arrivedCount(prefix: string, n: number): Promise<void>
  /** resolves when the connection of that request has been closed by the client (the browser let go) */
  released(prefix: string): Promise<void>
  close(): Promise<void>
}

/**
 * A target that never answers (`/hang…`) and records when the browser lets go of each request's
 * connection: the proof that a page was freed, not only that the runner's counters say so.
 */
export async function startWatchedSite(): Promise<WatchedSite> {
  const waiters: { prefix: string; kind: 'arrived' | 'released'; n: number; resolve: () => void }[] = []
  const seen: { path: string; kind: 'arrived' | 'released' }[] = []
  const count = (prefix: string, kind: 'arrived' | 'released') => seen.filter((s) => s.kind === kind && s.path.startsWith(prefix)).length
  const sockets = new Set<Socket>()
  const note = (path: string, kind: 'arrived' | 'released') => {
    seen.push({ path, kind })
    for (const w of waiters.filter((w) => w.kind === kind && count(w.prefix, kind) >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  }
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/'
    if (path === '/favicon.ico') return void res.writeHead(404).end()
    note(path, 'arrived')
    res.on('close', () => note(path, 'released'))
    // never answers
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const waitFor = (prefix: string, kind: 'arrived' | 'released', n = 1) =>
    count(prefix, kind) >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ prefix, kind, n, resolve }))
  return {
    url: `http://127.0.0.1:${port}`,
    arrived: (prefix) => waitFor(prefix, 'arrived'),
    get paths() {
      return seen.filter((s) => s.kind === 'arrived').map((s) => s.path)
    },
    arrivedCount: (prefix, n) => waitFor(prefix, 'arrived', n),
    released: (prefix) => waitFor(prefix, 'released'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Resolves with the value, or rejects naming `what` after `ms`: a bound on an event the test waits for. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
}

/**
 * POSTs `body` on a connection of its own and reads the answer even when the server answers
 * before the upload ends and then drops the connection (what a server does with a body it refuses
 * to read): fetch would report only the broken upload.
 */
export function postOnOwnConnection(url: string, body: Buffer | AsyncIterable<Buffer>, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', (err) => {
      // an upload cut short after the answer arrived is expected; without an answer it is a failure
      if (!(req as { res?: unknown }).res) reject(err)
    })
    if (Buffer.isBuffer(body)) req.end(body)
    else
      void (async () => {
        for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
        req.end()
      })().catch(() => undefined)
  })
}
