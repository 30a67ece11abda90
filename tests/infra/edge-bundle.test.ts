import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EDGE_ENTRY } from '../../infra/lib/edge-bundle.ts'
import { startFakeRunner, type FakeRunner } from '../unit/edge/support.ts'
import { buildStack, idOf } from './build-stack.ts'

// The one test that bundles the real edge/lambda.ts, the way `cdk synth` and `cdk deploy` do:
// with the esbuild in node_modules, never Docker (there is no Docker engine on this machine), with
// the light validation build (edge/zod-lite.ts) the stack aliases in. Requests then go through the
// bundled handler itself, so what ships validates, refuses and forwards like the source does.
const { app, stack, template } = buildStack({ edgeCode: null })
const assembly = app.synth()
const fnId = idOf(stack.edge.fn)
const s3Key = template.toJSON().Resources[fnId].Properties.Code.S3Key as string
const bundleDir = join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`)
const FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url))

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
}
type StreamingHandler = (event: unknown, stream: Writable, context: unknown) => Promise<void>

const savedEnv = { ...process.env }
const streamified: unknown[] = []
const forwarded: string[] = []
let runner: FakeRunner
let handler: StreamingHandler

beforeAll(async () => {
  runner = await startFakeRunner((req, res, body) => {
    forwarded.push(`${req.method} ${req.url} ${body.toString('utf8')}`)
    res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': 'fake-runner' })
    res.end(JSON.stringify({ success: true }))
  })
  ;(globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse: (h: StreamingHandler) => (streamified.push(h), h),
    HttpResponseStream: {
      from: (stream: RecordingStream, metadata: Metadata) => {
        stream.metadata = metadata
        return stream
      },
    },
  }
  // keys and runners from the environment: the bundle carries its own SDK, which no test mock reaches
  Object.assign(process.env, {
    CRAWLFLEET_DISCOVERY: 'static',
    CRAWLFLEET_RUNNERS: runner.url,
    CRAWLFLEET_API_KEYS: 'lambda-test-key',
    CRAWLFLEET_HMAC_SECRET: 'bundle-test-secret',
    CRAWLFLEET_LOG_LEVEL: 'silent',
    AWS_REGION: 'us-east-1',
  })
  ;({ handler } = (await import(pathToFileURL(join(bundleDir, 'index.mjs')).href)) as { handler: StreamingHandler })
})

afterAll(async () => {
  process.env = savedEnv
  delete (globalThis as { awslambda?: unknown }).awslambda
  await runner?.close()
})

async function invoke(fixture: string, edit?: (event: Record<string, any>) => void): Promise<{ status: number; body: any }> {
  const event = JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8')) as Record<string, any>
  edit?.(event)
  const stream = new RecordingStream()
  const finished = new Promise((resolve) => stream.on('finish', resolve))
  await handler(event, stream, { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 })
  await finished
  const text = Buffer.concat(stream.chunks).toString('utf8')
  return { status: stream.metadata!.statusCode, body: text ? JSON.parse(text) : undefined }
}

/** A file and every file it imports statically (import … from './x.mjs'), as a cold start loads them. */
function staticallyImported(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [...seen]
  seen.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^'"`()]*?from\s*)?["'`](\.{1,2}\/[^"'`]+\.mjs)["'`]/g)) {
    staticallyImported(resolve(dirname(file), m[1]!), seen)
  }
  return [...seen]
}

const body = (json: unknown) => (event: Record<string, any>) => {
  event.body = Buffer.from(JSON.stringify(json)).toString('base64')
  event.headers['content-length'] = String(Buffer.byteLength(event.body, 'base64'))
}

describe('edge bundle', () => {
  it('bundles edge/lambda.ts into ESM chunks with source maps beside them (not enabled at run time), handler index.handler', () => {
    expect(existsSync(EDGE_ENTRY)).toBe(true)
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true)
    expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true)
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' })
    expect(template.toJSON().Resources[fnId].Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined()
  })

  it('holds the light validation build, and loads under 600 KB at a cold start: lazy code is in chunks of its own', () => {
    const loaded = staticallyImported(join(bundleDir, 'index.mjs'))
    const code = loaded.map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(code).not.toContain('getOpenAPI31Document')
    expect(code).not.toContain('AmazonEC2ContainerServiceV20141113') // the ECS client's service id: left to the runtime
    expect(code).not.toContain('@modelcontextprotocol') // the MCP SDK loads with the first /mcp request
    expect(loaded.reduce((n, f) => n + statSync(f).size, 0)).toBeLessThan(600 * 1024)
    const all = readdirSync(join(bundleDir, 'chunks')).map((f) => readFileSync(join(bundleDir, 'chunks', f), 'utf8')).join('\n')
    expect(all).toMatch(/["'`]@aws-sdk\/client-ecs["'`]/)
  })

  it('loads in Node and hands Lambda a streaming handler', () => {
    expect(typeof handler).toBe('function')
    expect(streamified).toEqual([handler])
  })

  it('validates, refuses and forwards through the bundled handler as the source does', async () => {
    expect((await invoke('health.json')).status).toBe(200)
    expect(await invoke('html-no-key.json')).toMatchObject({ status: 401, body: { error: { code: 'API_KEY_MISSING' } } })
    expect(await invoke('html-metadata-ssrf.json')).toMatchObject({ status: 403, body: { error: { code: 'URL_REFUSED', rule: 'link-local', field: 'url' } } })
    const bad = await invoke('html-base64-body.json', body({ url: 'https://93.184.215.14/', wait_until: 'soon' }))
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_FIELD', field: 'wait_until' } } })
    const unknown = await invoke('html-base64-body.json', body({ url: 'https://93.184.215.14/', browser_config: { type: 'BrowserConfig', params: { user_data_dir: '/' } } }))
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'INVALID_FIELD', field: 'browser_config.user_data_dir' } } })
    expect(forwarded).toEqual([])
    expect((await invoke('html-base64-body.json')).status).toBe(200)
    expect(forwarded).toEqual(['POST /html {"url": "https://93.184.215.14/docs?x=1", "wait_until": "domcontentloaded"}'])
  })
})
