import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { mockClient } from 'aws-sdk-client-mock'
import { readFile } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../edge/middleware/api-key-set.ts'
import { verifyRequest } from '../../../runner/contract/request-hmac.ts'
import { PNG_BYTES, startFakeRunner, type FakeRunner } from './support.ts'

// The Lambda entry, invoked the way the Lambda runtime does it: Function URL (payload v2) events
// from tests/fixtures/lambda, a response stream, and a small shim of the runtime's `awslambda`
// globals (streamifyResponse, HttpResponseStream.from) that records the status and headers.

const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crawlfleet/api-keys-AbCdEf'
const HMAC_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crawlfleet/hmac-GhIjKl'
const HMAC = 'lambda-hmac-secret'

interface Metadata {
  statusCode: number
  headers: Record<string, string>
}

class RecordingStream extends Writable {
  metadata: Metadata | undefined
  readonly chunks: Buffer[] = []
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk))
    done()
  }
  body(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

declare global {
  var awslambda: unknown
}

type StreamingHandler = (event: unknown, stream: Writable, context: unknown) => Promise<void>

const secrets = mockClient(SecretsManagerClient)
const runnerSaw: { path: string; body: string; accept: string | undefined; signedOk: boolean }[] = []
let runner: FakeRunner
let handler: StreamingHandler

async function invoke(fixture: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const event = JSON.parse(await readFile(new URL(`../../fixtures/lambda/${fixture}`, import.meta.url), 'utf8')) as unknown
  const stream = new RecordingStream()
  const finished = new Promise((resolve) => stream.on('finish', resolve))
  await handler(event, stream, { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 })
  await finished
  if (!stream.metadata) throw new Error('the handler never opened the HTTP response stream')
  return { status: stream.metadata.statusCode, headers: stream.metadata.headers, body: stream.body() }
}

beforeAll(async () => {
  runner = await startFakeRunner((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://runner')
    let signedOk = true
    try {
      const header = (n: string) => (req.headers[n] as string | undefined) ?? undefined
      verifyRequest(HMAC, { method: req.method ?? 'GET', pathWithQuery: url.pathname + url.search, body, signature: header('x-crawlfleet-hmac'), timestamp: header('x-crawlfleet-timestamp') }, Date.now())
    } catch {
      signedOk = false
    }
    runnerSaw.push({ path: url.pathname + url.search, body: body.toString('utf8'), accept: req.headers.accept, signedOk })
    if (url.pathname === '/screenshot') {
      res.writeHead(200, { 'content-type': 'image/png', 'x-runner-id': 'fake-runner-1', 'x-crawlfleet-load': '0.25' })
      return void res.end(PNG_BYTES)
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': 'fake-runner-1' })
    res.end(JSON.stringify({ success: true, path: url.pathname }))
  })
  secrets.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).resolves({ SecretString: JSON.stringify({ api_keys: [sha256Hex('lambda-test-key')] }) })
  secrets.on(GetSecretValueCommand, { SecretId: HMAC_ARN }).resolves({ SecretString: HMAC })
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    CRAWLFLEET_RUNNERS: runner.url,
    CRAWLFLEET_API_KEYS_SECRET_ARN: KEYS_ARN,
    CRAWLFLEET_HMAC_SECRET_ARN: HMAC_ARN,
    CRAWLFLEET_LOG_LEVEL: 'silent',
  })
  globalThis.awslambda = {
    streamifyResponse: (fn: StreamingHandler) => fn,
    HttpResponseStream: {
      from: (stream: RecordingStream, metadata: Metadata) => {
        stream.metadata = metadata
        return stream
      },
    },
  }
  ;({ handler } = (await import('../../../edge/lambda.ts')) as unknown as { handler: StreamingHandler })
})

afterAll(async () => {
  await runner.close()
  secrets.restore()
})

describe('edge/lambda handler', () => {
  it('streams a binary screenshot from the runner back byte for byte', async () => {
    const res = await invoke('screenshot-png.json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.headers['x-runner-id']).toBe('fake-runner-1')
    expect(res.headers['x-crawlfleet-load']).toBeUndefined()
    expect(res.body.equals(PNG_BYTES)).toBe(true)
    const seen = runnerSaw.at(-1)!
    expect(seen).toMatchObject({ path: '/screenshot', accept: 'image/png', signedOk: true })
    expect(JSON.parse(seen.body)).toEqual({ url: 'http://93.184.215.14/', full_page: true })
  })

  it('decodes a base64 event body and forwards it unchanged, signed', async () => {
    const res = await invoke('html-base64-body.json')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString())).toEqual({ success: true, path: '/html' })
    expect(runnerSaw.at(-1)).toMatchObject({ body: '{"url": "https://93.184.215.14/docs?x=1", "wait_until": "domcontentloaded"}', signedOk: true })
  })

  it('forwards GET /llm/{url}?q= with its query', async () => {
    const res = await invoke('llm-get.json')
    expect(res.status).toBe(200)
    expect(runnerSaw.at(-1)).toMatchObject({ path: '/llm/93.184.215.14/page?q=what%20is%20this', signedOk: true })
  })

  it('answers /health without a key, and 401 / 403 without reaching the runner', async () => {
    const before = runnerSaw.length
    expect((await invoke('health.json')).status).toBe(200)
    const noKey = await invoke('html-no-key.json')
    expect(noKey.status).toBe(401)
    expect(JSON.parse(noKey.body.toString())).toMatchObject({ error: { code: 'API_KEY_MISSING' } })
    const ssrf = await invoke('html-metadata-ssrf.json')
    expect(ssrf.status).toBe(403)
    expect(JSON.parse(ssrf.body.toString())).toMatchObject({ error: { code: 'URL_REFUSED', rule: 'link-local', field: 'url' } })
    expect(runnerSaw.length).toBe(before)
  })

  it('reads each secret once, not per request (again only after CRAWLFLEET_SECRETS_TTL_SEC)', async () => {
    await invoke('screenshot-png.json')
    await invoke('html-base64-body.json')
    const ids = secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)
    expect(ids.sort()).toEqual([KEYS_ARN, HMAC_ARN].sort())
  })
})
