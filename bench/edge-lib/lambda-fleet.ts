// The routing simulation's Lambda mode: the edge as AWS runs it. Every request is served by one
// Lambda instance holding only that request; instances are reused while warm, start cold when
// none is idle, and are recycled after idling or living long enough. Each instance runs the real
// discovery cache (edge/discovery/cached.ts) on the simulated clock, so the API calls counted are
// the ones the code would make, and the real placement (edge/routing/*) on what it can know.
//
// Lambda instance lifecycle, from public measurements (cited in the report's `sources`):
//  - an idle instance is recycled ~10 min after its last request (mikhail.io, 2019);
//  - a busy one is recycled after ~2 h anyway (Xebia, "AWS Lambda terminates instances preemptively");
//  - cold starts are under 1 % of invocations in production (AWS Lambda operator guide);
//  - a Node.js cold start (init) takes a few hundred ms: log-normal, median 250 ms here.
// The pool starts in steady state: max concurrency over the idle window ≈ N + 3√N instances, of
// random ages, each with a runner list fetched at a random moment of its TTL.
import { DEFAULT_SIGNATURE } from '../../runner/contract/signature.ts'
import { cachedDiscovery } from '../../edge/discovery/cached.ts'
import type { Discovery, RunnerEndpoint } from '../../edge/discovery/types.ts'
import { silentLogger } from '../../edge/core/logger.ts'
import { probedPlacement } from '../../edge/routing/probed-placement.ts'
import { RunnerLoad } from '../../edge/routing/runner-load.ts'
import { placeRequest } from '../../edge/routing/two-choice.ts'
import { MinHeap } from './heap.ts'
import { Rng } from './prng.ts'
import { dist } from './summary.ts'

export const LAMBDA_DEFAULTS = {
  lambdaRequests: 100_000,
  /** the discovery runs: more requests, so 1,000 instances cover ~80 s of a 300 s TTL */
  lambdaDiscoveryRequests: 300_000,
  serviceMeanMs: 300,
  serviceSigma: 0.6,
  slots: 4,
  /** GET /ready round trip inside the VPC */
  probeRttMs: 1,
  /** edge → runner, one way */
  hopMs: 0.5,
  /** edge → load store → edge (ElastiCache in the VPC) */
  storeRttMs: 1,
  coldInitMedianMs: 250,
  coldInitSigma: 0.5,
  idleRecycleMs: 600_000,
  lifetimeMs: 7_200_000,
  discoveryTtlMs: 300_000,
  discoveryJitter: 0.1,
  /** ms a cold instance waits for its first runner list */
  discoveryFetchMs: 30,
  seed: 1,
  /** balance cells run for seeds seed … seed + balanceSeeds − 1; the headline is the median over them */
  balanceSeeds: 3,
  targetBusiestOverMean: 1.25,
  targetApiCallsPerSec: 5,
}
export type LambdaParams = typeof LAMBDA_DEFAULTS

export type LambdaPolicy = 'random' | 'instanceMemory' | 'probe2' | 'probe2NoBound' | 'probe4' | 'probe8' | 'probe16' | 'loadStore' | 'longLivedEdge' | 'leastLoadedOfAll'
export const LAMBDA_POLICIES: readonly LambdaPolicy[] = ['random', 'instanceMemory', 'probe2', 'probe2NoBound', 'probe4', 'probe8', 'probe16', 'loadStore', 'longLivedEdge', 'leastLoadedOfAll']

interface Instance {
  readonly discovery: Discovery
  /** what today's edge keeps per process: reports from this instance's own answers */
  readonly load: RunnerLoad
  readonly bornMs: number
  readonly diesMs: number
  lastUsedMs: number
}

type Event =
  | { kind: 'land'; req: number; runner: number; bound: number | undefined; next: number | undefined }
  | { kind: 'done'; req: number; runner: number }
  | { kind: 'free'; inst: Instance }
  | { kind: 'storeEnd'; runner: number }

const runnerIds = (n: number) => Array.from({ length: n }, (_, i) => `10.1.${(i >> 8) & 255}.${i & 255}:11235`)

/**
 * One run: N instances' worth of load (arrival rate N / mean request time) over R = N / m
 * runners. Returns the balance the arrivals saw and what the fleet cost in API calls.
 */
export async function simulateLambdaFleet(p: LambdaParams, cell: { instances: number; inflightPerRunner: number }, policy: LambdaPolicy, discovery: { ttlMs: number; callsPerRefresh: number } = { ttlMs: p.discoveryTtlMs, callsPerRefresh: 1 }) {
  const rng = new Rng(p.seed * 7919 + cell.instances * 31 + cell.inflightPerRunner)
  const streamRng = new Rng(p.seed * 104_729 + cell.instances + cell.inflightPerRunner * 1_000) // the same arrivals for every policy
  const nRunners = Math.max(2, Math.round(cell.instances / cell.inflightPerRunner))
  const ids = runnerIds(nRunners)
  const endpoints: RunnerEndpoint[] = ids.map((id) => ({ id, url: `http://${id}` }))
  const index = new Map(ids.map((id, i) => [id, i]))
  const inflight = new Int32Array(nRunners)
  /** loadStore: each runner's count in the shared store: raised when an edge picks it, lowered by the runner when the request ends */
  const stored = new Int32Array(nRunners)
  const loadOf = (r: number) => inflight[r] / p.slots
  const rate = cell.instances / p.serviceMeanMs // per ms
  let now = 0
  let apiCalls = 0
  let counting = false
  const clock = { now: () => now }
  const newDiscovery = () =>
    cachedDiscovery({
      source: async () => {
        if (counting) apiCalls += discovery.callsPerRefresh
        return endpoints
      },
      name: 'sim',
      clock,
      logger: silentLogger,
      ttlMs: discovery.ttlMs,
      jitter: p.discoveryJitter,
      random: () => rng.next(),
    })

  const idle: Instance[] = []
  let coldStarts = 0
  let instancesMade = 0
  const makeInstance = (bornMs: number): Instance => {
    instancesMade++
    return { discovery: newDiscovery(), load: new RunnerLoad(), bornMs, diesMs: bornMs + p.lifetimeMs * (0.75 + 0.5 * rng.next()), lastUsedMs: bornMs }
  }
  // steady state: a warm pool of random ages, each list fetched at a random point of its TTL
  const poolSize = Math.ceil(cell.instances + 3 * Math.sqrt(cell.instances))
  for (let i = 0; i < poolSize; i++) {
    const inst = makeInstance(-rng.next() * p.lifetimeMs * 0.75)
    now = -rng.next() * discovery.ttlMs
    await inst.discovery.runners()
    inst.lastUsedMs = now
    idle.push(inst)
  }
  now = 0
  const shared = new RunnerLoad()

  const events = new MinHeap<Event>()
  const service = (req: number) => serviceTimes[req]
  const serviceTimes = new Float64Array(p.lambdaRequests)
  const arrivals = new Float64Array(p.lambdaRequests)
  const keys: string[] = new Array(p.lambdaRequests)
  let t = 0
  for (let i = 0; i < p.lambdaRequests; i++) {
    t += streamRng.exponential(1 / rate)
    arrivals[i] = t
    serviceTimes[i] = streamRng.logNormal(p.serviceMeanMs, p.serviceSigma)
    keys[i] = streamRng.hex(24)
  }
  const instOf: Instance[] = new Array(p.lambdaRequests)
  const warmup = Math.floor(p.lambdaRequests / 10)
  const ratios: number[] = []
  /** arrivals at which the busiest runner held more than ⌈mean⌉, what a perfect spread of the same requests would give */
  let aboveCeiling = 0
  let meanSum = 0
  let boundRefusals = 0
  let probes = 0
  let coldInWindow = 0

  const handle = (e: Event, at: number) => {
    if (e.kind === 'storeEnd') {
      stored[e.runner]--
      return
    }
    if (e.kind === 'free') {
      e.inst.lastUsedMs = at
      if (at < e.inst.diesMs) idle.push(e.inst)
      return
    }
    if (e.kind === 'done') {
      inflight[e.runner]--
      const inst = instOf[e.req]
      const id = ids[e.runner]
      const load = policy === 'longLivedEdge' ? shared : inst.load
      load.end(id)
      load.report(id, loadOf(e.runner).toFixed(3), at)
      events.push(at + p.hopMs, { kind: 'free', inst })
      // the runner takes the request off its count; the write reaches the store half a round trip later
      if (policy === 'loadStore') events.push(at + p.storeRttMs / 2, { kind: 'storeEnd', runner: e.runner })
      return
    }
    // land: the runner admits the request, unless it is above the bound it was given
    if (e.bound !== undefined && e.next !== undefined && Math.round(loadOf(e.runner) * 1000) > Math.round(e.bound * 1000)) {
      boundRefusals++
      events.push(at + 2 * p.hopMs, { kind: 'land', req: e.req, runner: e.next, bound: undefined, next: undefined })
      return
    }
    inflight[e.runner]++
    events.push(at + service(e.req), { kind: 'done', req: e.req, runner: e.runner })
  }
  const drainUntil = (limit: number) => {
    while (events.size > 0 && events.peekKey() <= limit) {
      const at = events.peekKey()
      handle(events.pop()!, at)
    }
  }

  let windowStart = 0
  for (let i = 0; i < p.lambdaRequests; i++) {
    now = arrivals[i]
    drainUntil(now)
    if (i === warmup) {
      counting = true
      windowStart = now
    }
    if (i >= warmup) {
      let max = 0
      let sum = 0
      for (let r = 0; r < nRunners; r++) {
        sum += inflight[r]
        if (inflight[r] > max) max = inflight[r]
      }
      meanSum += sum / nRunners
      if (sum > 0) ratios.push(max / (sum / nRunners))
      if (max > Math.ceil(sum / nRunners)) aboveCeiling++
    }
    // Lambda hands the request to an idle warm instance, else starts one
    let inst: Instance | undefined
    while (idle.length > 0 && !inst) {
      const k = rng.int(idle.length)
      const candidate = idle[k]
      idle[k] = idle[idle.length - 1]
      idle.pop()
      if (now - candidate.lastUsedMs < p.idleRecycleMs && now < candidate.diesMs) inst = candidate
    }
    let startMs = now
    if (!inst) {
      inst = makeInstance(now)
      coldStarts++
      if (counting) coldInWindow++
      startMs += rng.logNormal(p.coldInitMedianMs * Math.exp((p.coldInitSigma * p.coldInitSigma) / 2), p.coldInitSigma) + p.discoveryFetchMs
    }
    instOf[i] = inst
    const list = await inst.discovery.runners()
    const usable = list.map((e) => e.id)
    let first: number
    let bound: number | undefined
    let next: number | undefined
    let landMs = startMs + p.hopMs
    if (policy === 'random') first = rng.int(nRunners)
    else if (policy === 'leastLoadedOfAll') {
      // a bound no placement can beat: the least loaded runner of the whole fleet, exactly, at once
      let best = rng.int(nRunners)
      for (let r = 0; r < nRunners; r++) if (inflight[r] < inflight[best]) best = r
      first = best
      landMs = startMs
    }
    else if (policy === 'loadStore') {
      // one atomic pick in the store: the runner with the lowest count, whose count it raises; the
      // runner lowers it when the request ends (runner/contract/load-store.ts; ties go to the lowest
      // member, as ZRANGE orders them). Counts written as absolutes instead (the runner's running +
      // queued on every change) erase the picks still on their way: 1.49-1.50 × at m = 4, 1,000 instances
      let best = 0
      for (let r = 1; r < nRunners; r++) if (stored[r] < stored[best]) best = r
      stored[best]++
      first = best
      landMs += p.storeRttMs
    }
    else if (policy === 'instanceMemory' || policy === 'longLivedEdge') {
      const load = policy === 'longLivedEdge' ? shared : inst.load
      first = index.get(placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: usable, requestKey: keys[i], loadOf: (id) => load.loadOf(id, startMs) })[0])!
    } else {
      const candidates = Number(/^probe(\d+)/.exec(policy)![1])
      probes += candidates
      const placed = await probedPlacement({ signature: DEFAULT_SIGNATURE, runnerIds: usable, requestKey: keys[i], candidates, probe: async (id) => loadOf(index.get(id)!) })
      first = index.get(placed.order[0])!
      if (placed.guard && policy !== 'probe2NoBound') {
        bound = placed.guard.aboveLoad
        next = index.get(placed.order[1])!
      }
      landMs += p.probeRttMs
    }
    ;(policy === 'longLivedEdge' ? shared : inst.load).begin(ids[first])
    events.push(landMs, { kind: 'land', req: i, runner: first, bound, next })
  }
  const windowSec = (arrivals[p.lambdaRequests - 1] - windowStart) / 1000
  drainUntil(Infinity)
  const r = dist(ratios, 3)
  return {
    runners: nRunners,
    /** below m: a request spends its probe, hops and any cold start off every runner */
    meanInFlightPerRunner: Number((meanSum / (p.lambdaRequests - warmup)).toFixed(3)),
    busiestOverMean: { median: r.median, p90: r.p90, p99: r.p99 },
    /** the busiest runner is a whole number: at m = 4 it holds 5 whenever more than 4R requests are in flight, 5/4 = 1.25 × a mean of 4 */
    busiestAboveCeilingPct: Number(((100 * aboveCeiling) / (p.lambdaRequests - warmup)).toFixed(1)),
    meetsTarget: r.median <= p.targetBusiestOverMean,
    coldStartPct: Number(((100 * coldInWindow) / (p.lambdaRequests - warmup)).toFixed(3)),
    instances: instancesMade,
    discoveryApiCallsPerSec: Number((apiCalls / windowSec).toFixed(2)),
    simulatedSeconds: Number(windowSec.toFixed(1)),
    probesPerRequest: Number((probes / p.lambdaRequests).toFixed(2)),
    boundRefusalsPerRequest: Number((boundRefusals / p.lambdaRequests).toFixed(4)),
  }
}
