import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { spawnTsx, waitUntilReady } from '../../tests/helpers/child-process.ts'

// A stand-in runner: a process of its own that answers every request, after reading its body,
// with one recorded runner answer. An edge in front of it forwards a real page call whose answer
// costs nothing, so the edge's own cost is not lost in a browser's variance. It runs in its own
// process, as the runner does, so that calling it directly crosses a process boundary too.

const ANSWER_ENV = 'CRAWLFLEET_BENCH_STUB_ANSWER'

export interface RecordedAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

export interface StubRunner {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

export async function startStubRunner(answer: RecordedAnswer, readyTimeoutMs = 30_000): Promise<StubRunner> {
  const headers: Record<string, string> = {}
  answer.headers.forEach((v, k) => {
    if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date'].includes(k)) headers[k] = v
  })
  const encoded = Buffer.from(JSON.stringify({ status: answer.status, headers, body: Buffer.from(answer.body).toString('base64') })).toString('base64')
  const proc = spawnTsx(fileURLToPath(import.meta.url), { [ANSWER_ENV]: encoded })
  const listening = () => /(?:^|\n)listening (\d+)\n/.exec(proc.output())
  await waitUntilReady('stub runner', proc, () => listening() !== null, { timeoutMs: readyTimeoutMs, intervalMs: 20 })
  const port = Number(listening()![1])
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid, stop: async () => void (await proc.stop()) }
}

function serveRecorded(encoded: string): void {
  const a = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { status: number; headers: Record<string, string>; body: string }
  const body = Buffer.from(a.body, 'base64')
  const headers = { ...a.headers, 'content-length': String(body.byteLength) }
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(a.status, headers)
      res.end(body)
    })
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`))
  process.once('SIGTERM', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const encoded = process.env[ANSWER_ENV]
  if (!encoded) throw new Error(`${ANSWER_ENV} is not set: this module is started by startStubRunner()`)
  serveRecorded(encoded)
}
