import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloudDeps } from '../../edge/cloud-deps.ts'
import { readEdgeConfig } from '../../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../../edge/local-server.ts'
import { createEdgeLogger } from '../../edge/core/logger.ts'
import { noMetrics } from '../../edge/core/metrics.ts'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { killTagged } from '../helpers/processes.ts'
import { freePort, startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// The rotations of infra/README.md's runbook, walked step by step while requests keep flowing:
// real runner processes (HMAC keys from CRAWLFLEET_HMAC_SECRET), replaced the way the stack's ECS
// deployment does it (new tasks up and registered before the old ones get SIGTERM: minimum 100 %,
// maximum 200 %), each task on a loopback address of its own as on its own IP; and the edge as the
// Lambda builds it (cloudDeps: ECS discovery and Secrets Manager stubbed at the SDK boundary,
// secrets read again once the cache's TTL has passed). The test client plays CloudFront: it adds
// the origin header with the value CloudFront was last deployed with.

const ARN = {
  keys: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crawlfleet-keys',
  hmac: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crawlfleet-hmac',
  origin: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crawlfleet-origin',
}
const TTL_MS = 60_000

/** Secrets Manager as far as the edge uses it: each secret's AWSCURRENT and AWSPREVIOUS values. */
class SecretStore {
  private readonly versions = new Map<string, { current: string; previous?: string }>()
  put(arn: string, value: string): void {
    const before = this.versions.get(arn)
    this.versions.set(arn, { current: value, previous: before?.current })
  }
  dropPrevious(arn: string): void {
    this.versions.set(arn, { current: this.versions.get(arn)!.current })
  }
  get(arn: string, stage = 'AWSCURRENT'): string {
    const v = this.versions.get(arn)
    const value = stage === 'AWSPREVIOUS' ? v?.previous : v?.current
    if (value === undefined) throw new ResourceNotFoundException({ message: `no ${stage} version of ${arn}`, $metadata: {} })
    return value
  }
}

/** ECS as far as the edge's discovery uses it: the service's tasks, their IPs and statuses. */
class TaskList {
  private readonly tasks = new Map<string, { ip: string; desired: 'RUNNING' | 'STOPPED' }>()
  register(ip: string): string {
    const arn = `arn:aws:ecs:us-east-1:123456789012:task/crawlfleet/${ip.replaceAll('.', '-')}`
    this.tasks.set(arn, { ip, desired: 'RUNNING' })
    return arn
  }
  stopping(ip: string): void {
    for (const t of this.tasks.values()) if (t.ip === ip) t.desired = 'STOPPED'
  }
  listed(): string[] {
    return [...this.tasks].filter(([, t]) => t.desired === 'RUNNING').map(([arn]) => arn)
  }
  describe(arns: readonly string[]) {
    return arns.map((arn) => {
      const t = this.tasks.get(arn)!
      return { taskArn: arn, lastStatus: 'RUNNING', desiredStatus: t.desired, attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: t.ip }] }] }
    })
  }
}

const store = new SecretStore()
const ecsTasks = new TaskList()
const sm = mockClient(SecretsManagerClient)
const ecs = mockClient(ECSClient)
let site: FixtureSite
let edge: LocalEdge
let runners: RunnerProcess[] = []
let runnerPort = 0
let nextIp = 2
const tag = `rotation-${process.pid}-${Date.now()}`
let secretsNowMs = 0
let describeCalls = 0
/** for each time ECS was asked for the tasks, how many requests had been sent by then */
const startedAtDescribe: number[] = []

/** What the clients send: the API key they hold, and the origin value(s) CloudFront's edge locations have. */
const client = { key: 'key-one', origin: ['origin-one'] as string[] }
const results: { step: string; status: number; body: string; id: number }[] = []
let started = 0
// conditions waited on, checked again whenever a request is answered or ECS is asked for its tasks
const waiters = new Set<() => boolean>()
const changed = () => {
  for (const w of waiters) if (w()) waiters.delete(w)
}
const until = (condition: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (condition() ? (resolve(), true) : false)
    if (!check()) waiters.add(check)
  })
let step = 'start'
let flowing = true
let loops: Promise<void>[] = []

/** One task: a runner on the next loopback address, registered with ECS once it is ready. */
async function startTask(hmac: string): Promise<RunnerProcess> {
  const host = `127.0.0.${nextIp++}`
  // one at a time: two Chromium launches at once on two cores only make each slower
  const runner = await startRunnerProcess({ CRAWLFLEET_HMAC_SECRET: hmac, CRAWLFLEET_TEST_TAG: tag, CRAWLFLEET_STOP_TIMEOUT_MS: '20000' }, { host, port: runnerPort, readyTimeoutMs: 90_000 })
  ecsTasks.register(host)
  return runner
}

/** Resolves once the edge has read the task list again (a discovery refresh that came after this call). */
async function edgeSeesTasks(): Promise<void> {
  const before = describeCalls
  await until(() => describeCalls > before)
  // three answers to requests sent after that read: each loop sends its next request only after an
  // answer, so at least one of them was placed with the new list
  const sentBefore = startedAtDescribe[before]!
  await until(() => results.filter((r) => r.id > sentBefore).length >= 3)
}

/** ECS deploying a new task definition: the new tasks start and register, then the old ones stop (they drain). */
async function rollRunners(hmac: string): Promise<void> {
  const old = runners
  const fresh: RunnerProcess[] = []
  for (let i = 0; i < old.length; i++) fresh.push(await startTask(hmac))
  await edgeSeesTasks()
  for (const r of old) ecsTasks.stopping(new URL(r.url).hostname)
  await Promise.all(old.map((r) => r.stop('SIGTERM')))
  runners = fresh
}

/** Every edge instance reading its secrets again: the cache's TTL passing, on the cache's own clock. */
function secretsTtlPasses(): void {
  secretsNowMs += TTL_MS + 1
}

async function flow(n: number): Promise<void> {
  let i = 0
  while (flowing) {
    const id = ++started
    const origin = client.origin[(n + i++) % client.origin.length]!
    const res = await fetch(`${edge.url}/html`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/json', 'x-crawlfleet-origin': origin },
      body: JSON.stringify({ url: `${site.url}/about.html` }),
    }).catch((err: Error) => ({ status: 0, text: async () => err.message }))
    results.push({ step, status: res.status, body: res.status === 200 ? '' : await res.text(), id })
    changed()
  }
}

/** Runs a step while the clients keep sending, and waits until a few requests of it were answered. */
async function during(name: string, action: () => Promise<void> | void): Promise<void> {
  step = name
  await action()
  await until(() => results.filter((r) => r.step === name).length >= 4)
}

beforeAll(async () => {
  store.put(ARN.keys, 'key-one')
  store.put(ARN.hmac, 'hmac-one')
  store.put(ARN.origin, 'origin-one')
  sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionStage?: string }) => ({ SecretString: store.get(input.SecretId, input.VersionStage) }))
  ecs.on(ListTasksCommand).callsFake(() => ({ taskArns: ecsTasks.listed() }))
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
    startedAtDescribe[describeCalls++] = started
    queueMicrotask(changed)
    return { tasks: ecsTasks.describe(input.tasks) }
  })
  site = await startFixtureSite()
  runnerPort = await freePort()
  // one task: a rotation's point is the moment old and new configurations meet, which one task shows as well as many
  runners.push(await startTask('hmac-one'))
  const config = readEdgeConfig({
    PORT: '0',
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_DISCOVERY: 'ecs',
    CRAWLFLEET_ECS_CLUSTER: 'crawlfleet',
    CRAWLFLEET_ECS_SERVICE: 'runners',
    CRAWLFLEET_RUNNER_PORT: String(runnerPort),
    CRAWLFLEET_DISCOVERY_TTL_MS: '200',
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_API_KEYS_SECRET_ARN: ARN.keys,
    CRAWLFLEET_HMAC_SECRET_ARN: ARN.hmac,
    CRAWLFLEET_ORIGIN_SECRET_ARN: ARN.origin,
    CRAWLFLEET_SECRETS_TTL_SEC: String(TTL_MS / 1000),
    CRAWLFLEET_LOG_LEVEL: 'silent',
  })
  const logger = createEdgeLogger('silent')
  const deps = cloudDeps(config, {
    ecs: new ECSClient({ region: 'us-east-1' }),
    secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    logger,
    metrics: noMetrics,
    clock: { now: () => secretsNowMs, wallMs: () => Date.now() },
  })
  edge = await startLocalEdge(config, logger, deps)
  loops = [flow(0), flow(1)]
}, 240_000)

afterAll(async () => {
  flowing = false
  await Promise.all(loops)
  await edge?.close()
  await Promise.all(runners.map((r) => r.stop('SIGTERM')))
  await site?.close()
  sm.restore()
  ecs.restore()
  await killTagged(tag)
})

/** A runner's answer to a request signed with `key` (GET /pressure needs a signature when a secret is set). */
async function signedWith(key: string): Promise<number> {
  const headers = signRequest(key, 'GET', '/pressure', Date.now(), '')
  const res = await fetch(`${runners[0]!.url}/pressure`, { headers })
  await res.body?.cancel()
  return res.status
}

const direct = (origin: string | undefined, key = client.key) =>
  fetch(`${edge.url}/html`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(origin ? { 'x-crawlfleet-origin': origin } : {}) },
    body: JSON.stringify({ url: `${site.url}/about.html` }),
  }).then(async (r) => (await r.body?.cancel(), r.status))

describe('rotation without downtime, requests flowing', { timeout: 600_000 }, () => {
  it('walks the HMAC, origin and API key rotations of the runbook with every request answered 200', async () => {
    await during('baseline', () => {})

    // HMAC: runners learn the new key, then the edge signs with it, then runners forget the old one
    await during('hmac 1: secret "old,new", runners replaced', async () => {
      store.put(ARN.hmac, 'hmac-one,hmac-two')
      await rollRunners('hmac-one,hmac-two')
    })
    expect(await signedWith('hmac-two')).toBe(200)
    expect(await signedWith('hmac-one')).toBe(200)
    await during('hmac 2: secret "new,old", edges read it', () => {
      store.put(ARN.hmac, 'hmac-two,hmac-one')
      secretsTtlPasses()
    })
    await during('hmac 3: secret "new", runners replaced', async () => {
      store.put(ARN.hmac, 'hmac-two')
      await rollRunners('hmac-two')
    })
    expect(await signedWith('hmac-one')).toBe(401)
    expect(await signedWith('hmac-two')).toBe(200)

    // origin: a new version; the edge takes current and previous while CloudFront moves over
    await during('origin 1: new version put, edges read it', () => {
      store.put(ARN.origin, 'origin-two')
      secretsTtlPasses()
    })
    await during('origin 2: CloudFront deploying (both values arrive)', () => {
      client.origin = ['origin-one', 'origin-two']
    })
    await during('origin 3: CloudFront deployed', () => {
      client.origin = ['origin-two']
    })
    await during('origin 4: previous version retired', () => {
      store.dropPrevious(ARN.origin)
      secretsTtlPasses()
    })
    expect(await direct('origin-one')).toBe(403)
    expect(await direct(undefined)).toBe(403)
    expect(await direct('origin-two')).toBe(200)

    // API keys: add the new key, clients move to it, remove the old one
    await during('keys 1: both keys, edges read them', () => {
      store.put(ARN.keys, 'key-one,key-two')
      secretsTtlPasses()
    })
    await during('keys 2: clients use the new key', () => {
      client.key = 'key-two'
    })
    await during('keys 3: old key removed, edges read it', () => {
      store.put(ARN.keys, 'key-two')
      secretsTtlPasses()
    })
    expect(await direct('origin-two', 'key-one')).toBe(403)

    flowing = false
    await Promise.all(loops)
    const failed = results.filter((r) => r.status !== 200)
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([])
    const steps = new Set(results.map((r) => r.step))
    expect(steps.size).toBe(11)
    for (const s of steps) expect(results.filter((r) => r.step === s).length, s).toBeGreaterThanOrEqual(4)
  })
})
