// One cold start, in a fresh Node process: `node cold-start-child.mjs import <bundle>` times the
// import alone; `… start <bundle> <event.json>` also invokes the handler twice the way the Lambda
// runtime does (a response stream and the awslambda globals), and prints JSON timings.
import { readFile } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'

const [mode, bundle, eventFile] = process.argv.slice(2)

class Sink extends Writable {
  status = 0
  bytes = 0
  _write(chunk, _enc, done) {
    this.bytes += chunk.length
    done()
  }
}
globalThis.awslambda = {
  streamifyResponse: (fn) => fn,
  HttpResponseStream: { from: (stream, meta) => ((stream.status = meta.statusCode), stream) },
}

const t0 = performance.now()
const mod = await import(pathToFileURL(bundle).href)
const importMs = performance.now() - t0
if (mode === 'import') {
  process.stdout.write(JSON.stringify({ importMs }))
  process.exit(0)
}
const event = JSON.parse(await readFile(eventFile, 'utf8'))
async function invoke() {
  const sink = new Sink()
  const done = new Promise((resolve) => sink.on('finish', resolve))
  const started = performance.now()
  await mod.handler(event, sink, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 })
  await done
  return { ms: performance.now() - started, status: sink.status }
}
const first = await invoke()
const second = await invoke()
process.stdout.write(JSON.stringify({ importMs, firstRequestMs: first.ms, firstStatus: first.status, secondRequestMs: second.ms, secondStatus: second.status, startMs: importMs + first.ms }))
process.exit(0)
