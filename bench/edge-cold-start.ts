// `npm run bench -- edge-cold-start [--reps=N]`: what a Lambda cold start of the edge costs.
//  - the edge bundled as the stack bundles it (esbuild --bundle --minify --format=esm
//    --platform=node, the stack's banner and main fields), its size and what is in it;
//  - the baseline the issue names: a bundle of only the AWS SDK clients the edge needs
//    (Secrets Manager, Cloud Map, ECS), made and evaluated at import;
//  - what the stack does to keep it light (edge/zod-lite.ts, the ECS fallback left to the runtime) vs. before;
//  - import time of each in fresh Node processes, interleaved, medians; with and without
//    --enable-source-maps (the stack ships a source map);
//  - a Lambda-like start: import, then the first and second Function URL request, with Secrets
//    Manager and Cloud Map answered by a local stand-in (AWS_ENDPOINT_URL) and two stub runners;
//    and the same start placing by the load store, a local redis-server holding both stub runners
//    (the stack sets CRAWLFLEET_LOAD_STORE_URL, so this is the cloud's start).
// Timings on a shared 2-core machine are noisy: read medians and ratios, rerun on a quiet one.
import { execFile } from 'node:child_process'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build, type Metafile } from 'esbuild'
import { Redis } from 'ioredis'
import { buildEdgeBundle, EDGE_BUNDLE_BANNER } from '../infra/lib/edge-bundle.ts'
import { LOAD_STORE_KEYS } from '../runner/contract/load-store.ts'
import { startRedisServer } from '../tests/helpers/redis-server.ts'
import { progress, readFlags } from './edge-lib/args.ts'
import { median, round } from './lib/stats.ts'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const CHILD = fileURLToPath(new URL('./edge-lib/cold-start-child.mjs', import.meta.url))
const RESOLVE = pathToFileURL(fileURLToPath(new URL('./edge-lib/resolve-test-hosts.mjs', import.meta.url))).href

export const DEFAULTS = { reps: 15, targetBytes: 600 * 1024, targetImportRatio: 1.3 }

const SDK_ONLY = `
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery'
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
export const clients = [new SecretsManagerClient({}), new ServiceDiscoveryClient({}), new ECSClient({})]
export const commands = [GetSecretValueCommand, DiscoverInstancesCommand, ListTasksCommand, DescribeTasksCommand]
`

interface Variant {
  readonly name: string
  readonly about: string
  readonly entry: string | { contents: string }
  /** built by the stack's own bundler (code-split: the size is what a cold start loads) */
  readonly asTheStackBuildsIt?: boolean
}

const VARIANTS: readonly Variant[] = [
  { name: 'edge', about: 'edge/lambda.ts as the stack bundles it (zod-lite, lazy chunks, the ECS fallback left to the runtime): what a cold start loads', entry: 'edge/lambda.ts', asTheStackBuildsIt: true },
  { name: 'sdk-only', about: 'only the SDK clients and commands the edge needs, made at import (the baseline)', entry: { contents: SDK_ONLY } },
  { name: 'edge-one-file', about: 'the edge as one file with @hono/zod-openapi as is and every SDK client (how it was bundled before)', entry: 'edge/lambda.ts' },
]

async function bundle(v: Variant, dir: string) {
  if (v.asTheStackBuildsIt) {
    const outdir = join(dir, v.name)
    const b = buildEdgeBundle(outdir, { entry: join(ROOT, v.entry as string) })
    const index = Object.entries(b.metafile.outputs).find(([f, o]) => f.endsWith('.mjs') && o.entryPoint)![1]
    // the chunks ioredis is in: what an edge with a load store loads on top, during its init
    const storeBytes = Object.entries(b.metafile.outputs)
      .filter(([f, o]) => f.endsWith('.mjs') && Object.keys(o.inputs).some((i) => i.includes('node_modules/ioredis/')))
      .reduce((sum, [, o]) => sum + o.bytes, 0)
    return { file: join(outdir, 'index.mjs'), bytes: b.coldStartBytes, totalBytes: b.totalBytes, storeBytes, largest: largestPackages(b.metafile, index.inputs) }
  }
  const outfile = join(dir, `${v.name}.mjs`)
  const result = await build({
    ...(typeof v.entry === 'string' ? { entryPoints: [join(ROOT, v.entry)] } : { stdin: { contents: v.entry.contents, resolveDir: ROOT, loader: 'ts' } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: { js: EDGE_BUNDLE_BANNER },
    sourcemap: true,
    sourcesContent: false,
    outfile,
    metafile: true,
    logLevel: 'error',
  })
  const output = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.mjs'))![1]
  return { file: outfile, bytes: output.bytes, totalBytes: output.bytes, storeBytes: 0, largest: largestPackages(result.metafile, output.inputs) }
}

function largestPackages(_meta: Metafile, inputs: Metafile['outputs'][string]['inputs']) {
  const by = new Map<string, number>()
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const inModules = path.split('node_modules/').pop()!
    const key = path.includes('node_modules/') ? inModules.split('/').slice(0, inModules.startsWith('@') ? 2 : 1).join('/') : `(crawlfleet) ${path.split('/')[0]}`
    by.set(key, (by.get(key) ?? 0) + bytesInOutput)
  }
  return Object.fromEntries([...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round(v / 1024, 1)]))
}

async function child(args: string[], env: Record<string, string>, nodeOptions: string[] = []): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, [...nodeOptions, '--import', RESOLVE, CHILD, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 })
  // the last line: the edge's EMF metric lines share its stdout
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>
}

/** Stand-ins for what a cold start talks to: Secrets Manager + Cloud Map (one endpoint), two runners. */
async function startStandIns() {
  const servers: Server[] = []
  const listen = async (handle: (req: IncomingMessage, body: string, res: ServerResponse) => void) => {
    const s = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => handle(req, body, res))
    })
    servers.push(s)
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    return (s.address() as AddressInfo).port
  }
  const runnerPorts: number[] = []
  for (let i = 0; i < 2; i++) {
    runnerPorts.push(
      await listen((req, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': `stub-${i}`, 'x-crawlfleet-load': '0.000' })
        res.end(req.url === '/ready' ? '{"ready":true}' : '{"success":true,"html":"<p>hi</p>"}')
      }),
    )
  }
  const awsCalls: string[] = []
  const awsPort = await listen((req, body, res) => {
    const target = String(req.headers['x-amz-target'] ?? '')
    awsCalls.push(target)
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
    if (target.endsWith('GetSecretValue')) {
      const id = (JSON.parse(body) as { SecretId: string }).SecretId
      return void res.end(JSON.stringify({ Name: id, SecretString: id.includes('keys') ? JSON.stringify({ api_keys: ['bench-key'] }) : 'bench-hmac' }))
    }
    const instances = runnerPorts.map((port) => ({ InstanceId: `i-${port}`, HealthStatus: 'HEALTHY', Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(port) } }))
    res.end(JSON.stringify({ Instances: instances, InstancesRevision: 1 }))
  })
  return { awsPort, awsCalls, runnerIds: runnerPorts.map((port) => `127.0.0.1:${port}`), close: () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))) }
}

export async function edgeColdStart(argv: readonly string[]): Promise<object> {
  const p = readFlags(argv, DEFAULTS)
  const dir = await mkdtemp(join(tmpdir(), 'crawlfleet-cold-start-'))
  const standIns = await startStandIns()
  const redisServer = await startRedisServer()
  const redis = new Redis(redisServer.url)
  try {
    progress('bundling')
    const bundles = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v.name, await bundle(v, dir)] as const)))
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_ENDPOINT_URL: `http://aws.cold-start.test:${standIns.awsPort}`,
      CRAWLFLEET_DISCOVERY: 'cloudmap',
      CRAWLFLEET_CLOUDMAP_NAMESPACE: 'crawlfleet.internal',
      CRAWLFLEET_CLOUDMAP_SERVICE: 'runners',
      CRAWLFLEET_API_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crawlfleet/api-keys',
      CRAWLFLEET_HMAC_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crawlfleet/hmac',
      CRAWLFLEET_LOG_LEVEL: 'silent',
    }
    const eventFile = join(dir, 'event.json')
    const body = JSON.stringify({ url: 'http://93.184.215.14/' })
    await writeFile(eventFile, JSON.stringify(functionUrlEvent(body)))

    const imports: Record<string, number[]> = Object.fromEntries([...VARIANTS.map((v) => [v.name, []]), ['edge --enable-source-maps', []]])
    const starts: Record<string, number>[] = []
    const storeStarts: Record<string, number>[] = []
    const storeEnv = { ...env, CRAWLFLEET_LOAD_STORE_URL: redisServer.url }
    const [sec] = await redis.time()
    for (let r = 0; r < p.reps; r++) {
      progress(`round ${r + 1}/${p.reps}`)
      for (const v of VARIANTS) imports[v.name].push((await child(['import', bundles[v.name].file], env)).importMs)
      imports['edge --enable-source-maps'].push((await child(['import', bundles.edge.file], env, ['--enable-source-maps'])).importMs)
      starts.push(await child(['start', bundles.edge.file, eventFile], env))
      // both stub runners idle and fresh in the store (the stubs do not count their requests down)
      for (const id of standIns.runnerIds) await redis.multi().zadd(LOAD_STORE_KEYS.load, 0, id).zadd(LOAD_STORE_KEYS.seen, Number(sec) * 1000 + 3_600_000, id).exec()
      storeStarts.push(await child(['start', bundles.edge.file, eventFile], storeEnv))
    }
    const storePicks = (await redis.zrange(LOAD_STORE_KEYS.load, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number).reduce((a, b) => a + b, 0)
    const med = Object.fromEntries(Object.entries(imports).map(([k, v]) => [k, round(median(v), 1)]))
    const startMedian = (k: string, of = starts) => round(median(of.map((s) => s[k])), 1)
    const ratio = (k: string) => round(med[k] / med['sdk-only'], 2)
    return {
      bench: 'edge-cold-start',
      node: process.version,
      params: p,
      variants: Object.fromEntries(VARIANTS.map((v) => [v.name, { about: v.about, bytes: bundles[v.name].bytes, kib: round(bundles[v.name].bytes / 1024, 1), allChunksKiB: round(bundles[v.name].totalBytes / 1024, 1), largestKiB: bundles[v.name].largest }])),
      /** what an edge with a load store loads on top during its init (ioredis and its chunks) */
      loadStoreChunksKiB: round(bundles.edge.storeBytes / 1024, 1),
      importMsMedian: med,
      importRatioToSdkOnly: Object.fromEntries(Object.keys(med).filter((k) => k !== 'sdk-only').map((k) => [k, ratio(k)])),
      lambdaLikeStartMsMedian: {
        import: startMedian('importMs'),
        firstRequest: startMedian('firstRequestMs'),
        secondRequest: startMedian('secondRequestMs'),
        importPlusFirstRequest: startMedian('startMs'),
        statuses: [...new Set(starts.flatMap((s) => [s.firstStatus, s.secondStatus]))],
        awsCallsPerStart: standIns.awsCalls.length / (2 * p.reps),
      },
      lambdaLikeStartWithLoadStoreMsMedian: {
        import: startMedian('importMs', storeStarts),
        firstRequest: startMedian('firstRequestMs', storeStarts),
        secondRequest: startMedian('secondRequestMs', storeStarts),
        importPlusFirstRequest: startMedian('startMs', storeStarts),
        statuses: [...new Set(storeStarts.flatMap((s) => [s.firstStatus, s.secondStatus]))],
        /** requests the store counted against the stub runners in the last round: 2 when both requests were placed by it */
        picksLastRound: storePicks,
      },
      targets: {
        bytes: { target: p.targetBytes, edge: bundles.edge.bytes, met: bundles.edge.bytes <= p.targetBytes },
        importRatio: { target: p.targetImportRatio, edge: ratio('edge'), met: ratio('edge') <= p.targetImportRatio },
      },
      notes: [
        'import = a fresh `node` process importing the bundle (awslambda globals stubbed); Lambda adds its own runtime start and code download',
        'the edge loads its SDK clients on first use (dynamic import), so its import time leaves them out and its first request pays for them',
        'first request: API keys and HMAC key from Secrets Manager, the runner list from Cloud Map (both local stand-ins), a GET /ready probe of each runner, the forwarded POST',
        'with the load store: the same, but the init imports ioredis and connects to a local redis-server (no TLS, unlike ElastiCache), and the requests pick there instead of probing',
      ],
    }
  } finally {
    await redis.quit()
    await redisServer.stop()
    await standIns.close()
    await rm(dir, { recursive: true, force: true })
  }
}

function functionUrlEvent(body: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/html',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key', host: 'abc.lambda-url.eu-west-1.on.aws' },
    requestContext: { http: { method: 'POST', path: '/html', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'bench' }, domainName: 'abc.lambda-url.eu-west-1.on.aws', requestId: 'bench', timeEpoch: Date.now() },
    body,
    isBase64Encoded: false,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await edgeColdStart(process.argv.slice(2)), null, 2)}\n`)
}
