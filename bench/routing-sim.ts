// `npx tsx bench/routing-sim.ts [--flag=value …]`: the edge's routing, with no sockets.
//  (a) the time of one routing decision over 100 runners (launch signature → rankRunners,
//      default signature → placeRequest with a RunnerLoad, and the whole decision as forward.ts
//      makes it), median and p99 per call;
//  (b) stability: 100 runners × 10,000 launch signatures, the share of signatures whose first
//      runner changes when one runner is removed (every runner in turn) or one is added;
//  (c) placement of default-signature requests with load feedback, two-choice (the edge's
//      placeRequest + RunnerLoad on a simulated clock) against random single choice, over the
//      same arrival stream and service times.
// Prints one JSON report on stdout; progress on stderr. Timings are per call on a shared 2-core
// machine: read medians, and p99 as an upper bound that includes GC and other tenants.
import { pathToFileURL } from 'node:url'
import { DEFAULT_SIGNATURE } from '../runner/contract/signature.ts'
import { rankRunners } from '../edge/routing/rendezvous.ts'
import { RunnerBackoff } from '../edge/routing/runner-backoff.ts'
import { RunnerLoad } from '../edge/routing/runner-load.ts'
import { placeRequest } from '../edge/routing/two-choice.ts'
import { round } from './lib/stats.ts'
import { progress, readFlags } from './edge-lib/args.ts'
import { MinHeap } from './edge-lib/heap.ts'
import { Rng } from './edge-lib/prng.ts'
import { dist } from './edge-lib/summary.ts'
import { LAMBDA_DEFAULTS } from './edge-lib/lambda-fleet.ts'
import { lambdaMode } from './edge-lib/lambda-mode.ts'

export const DEFAULTS = {
  // the Lambda mode's own settings; the shared ones (service time, slots, seed, target) follow
  ...LAMBDA_DEFAULTS,
  runners: 100,
  /** timed routing decisions per kind, after as many warm-up calls again / 10 */
  iterations: 50_000,
  signatures: 10_000,
  /** how many runners to remove in turn for (b) (each one separately); 0 = all of them */
  removals: 0,
  /** arrivals per simulated cell of (c) */
  requests: 100_000,
  serviceMeanMs: 300,
  /** log-space standard deviation of the log-normal service time */
  serviceSigma: 0.6,
  /** page slots per runner: the denominator of the reported load, and the slots of the queueing model */
  slots: 4,
  /** edges (Lambda instances) in the multi-edge policy, each with its own RunnerLoad */
  edges: 10,
  seed: 1,
  targetDecisionUs: 50,
  targetBusiestOverMean: 1.25,
  /** all | process (the long-lived edge's sections) | lambda (the Lambda fleet) | lambda-discovery (its API-call table only) */
  mode: 'all',
}

type Params = typeof DEFAULTS

const runnerIdsFor = (n: number, offset = 0): string[] =>
  Array.from({ length: n }, (_, i) => `10.0.${((i + offset) >> 8) & 255}.${(i + offset) & 255}:11235`)

const uuidLike = (rng: Rng): string => {
  const h = rng.hex(32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

// ---------------------------------------------------------------------------------------------
// (a) decision time

let sink = 0

function timeCalls(count: number, call: (i: number) => string[]): number[] {
  const us = new Array<number>(count)
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint()
    const order = call(i)
    const t1 = process.hrtime.bigint()
    sink += order.length
    us[i] = Number(t1 - t0) / 1000
  }
  return us
}

function decisionTime(p: Params) {
  const rng = new Rng(p.seed)
  const ids = runnerIdsFor(p.runners)
  const total = p.iterations + Math.ceil(p.iterations / 10)
  const launchSigs = Array.from({ length: total }, () => rng.hex(16))
  const requestKeys = Array.from({ length: total }, () => uuidLike(rng))
  // a populated load table, as after a while of traffic: every runner reported, some requests in flight
  const load = new RunnerLoad()
  const backoff = new RunnerBackoff()
  const now = 1_000_000
  for (const id of ids) {
    load.report(id, (rng.next() * 2).toFixed(3), now - rng.int(3000))
    for (let k = rng.int(3); k > 0; k--) load.begin(id)
  }
  for (const id of ids.slice(0, 3)) backoff.failed(id, now)
  const endpoints = ids.map((id) => ({ id, url: `http://${id}` }))

  const kinds: Record<string, (i: number) => string[]> = {
    // a launch signature: its stable rendezvous order
    launchRankRunners: (i) => rankRunners(launchSigs[i], ids),
    // the default signature: two rendezvous candidates over the request id, the less loaded first
    defaultPlaceRequest: (i) =>
      placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: requestKeys[i], loadOf: (id) => load.loadOf(id, now) }),
    // the whole decision as forward.ts makes it per request: id map, placement, backoff filter
    defaultAsForwarded: (i) => {
      const byId = new Map(endpoints.map((r) => [r.id, r]))
      const order = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: [...byId.keys()], requestKey: requestKeys[i], loadOf: (id) => load.loadOf(id, now) })
      return order.filter((id) => !backoff.isSkipped(id, now))
    },
  }
  const out: Record<string, ReturnType<typeof dist> & { meetsTarget: boolean }> = {}
  for (const [name, call] of Object.entries(kinds)) {
    const warm = total - p.iterations
    timeCalls(warm, (i) => call(p.iterations + i)) // JIT warm-up on inputs the timed run does not reuse
    const d = dist(timeCalls(p.iterations, call), 2)
    out[name] = { ...d, meetsTarget: d.p99 <= p.targetDecisionUs }
  }
  return { unit: 'µs per decision', runners: p.runners, iterations: p.iterations, targetUs: p.targetDecisionUs, ...out }
}

// ---------------------------------------------------------------------------------------------
// (b) stability of the first choice

function stability(p: Params) {
  const rng = new Rng(p.seed + 1)
  const ids = runnerIdsFor(p.runners)
  const sigs = Array.from({ length: p.signatures }, () => rng.hex(16))
  const base = sigs.map((s) => rankRunners(s, ids))
  const first = base.map((o) => o[0])
  const second = base.map((o) => o[1])

  // how evenly the first choices spread: the busiest runner's share against the mean
  const owned = new Map<string, number>()
  for (const f of first) owned.set(f, (owned.get(f) ?? 0) + 1)
  const counts = ids.map((id) => owned.get(id) ?? 0)
  const meanOwned = p.signatures / p.runners

  const removed = p.removals > 0 ? ids.filter((_, i) => i % Math.max(1, Math.floor(p.runners / p.removals)) === 0).slice(0, p.removals) : ids
  const movedShares: number[] = []
  let movedNotOwned = 0
  let ownedNotMoved = 0
  let moved = 0
  let movedToSecond = 0
  for (const r of removed) {
    const rest = ids.filter((id) => id !== r)
    let m = 0
    for (let s = 0; s < sigs.length; s++) {
      const now = rankRunners(sigs[s], rest)[0]
      const wasOwned = first[s] === r
      if (now !== first[s]) {
        m++
        if (!wasOwned) movedNotOwned++
        if (now === second[s]) movedToSecond++
      } else if (wasOwned) ownedNotMoved++
    }
    moved += m
    movedShares.push(m / sigs.length)
  }
  const pct = (x: number) => round(100 * x, 3)

  // one runner more: only the signatures it now wins move, all of them to it
  const added = runnerIdsFor(1, p.runners)[0]
  let addMoved = 0
  let addMovedElsewhere = 0
  for (let s = 0; s < sigs.length; s++) {
    const now = rankRunners(sigs[s], [...ids, added])[0]
    if (now !== first[s]) {
      addMoved++
      if (now !== added) addMovedElsewhere++
    }
  }

  return {
    runners: p.runners,
    signatures: p.signatures,
    firstChoiceSpread: { meanPerRunner: meanOwned, min: Math.min(...counts), max: Math.max(...counts), busiestOverMean: round(Math.max(...counts) / meanOwned, 3) },
    removeOne: {
      removalsTried: removed.length,
      expectedMovedPct: pct(1 / p.runners),
      movedPct: { mean: pct(moved / (removed.length * sigs.length)), min: pct(Math.min(...movedShares)), max: pct(Math.max(...movedShares)) },
      /** signatures that moved although the removed runner was not their first: must be 0 */
      movedWithoutCause: movedNotOwned,
      /** signatures whose first was removed but that did not move: must be 0 */
      ownedButStayed: ownedNotMoved,
      /** of the moved signatures, the share that went to their old second choice (the runner failover already tried) */
      movedToOldSecondPct: pct(moved > 0 ? movedToSecond / moved : 0),
    },
    addOne: { expectedMovedPct: pct(1 / (p.runners + 1)), movedPct: pct(addMoved / sigs.length), movedNotToNewRunner: addMovedElsewhere },
  }
}

// ---------------------------------------------------------------------------------------------
// (c) placement with load feedback

type Policy = 'random' | 'twoChoice' | 'twoChoiceManyEdges' | 'twoChoiceTrueInFlight'

interface Cell {
  /** 'inflight': every request runs at once for its service time (no slots); 'slots': `slots` pages at a time, FIFO queue behind them */
  readonly model: 'inflight' | 'slots'
  /** inflight: mean requests in flight per runner; slots: utilisation of the page slots */
  readonly level: number
}

interface Stream {
  readonly arrivals: Float64Array
  readonly service: Float64Array
  readonly edge: Uint16Array
  readonly keys: string[]
}

function makeStream(p: Params, cell: Cell, seed: number): Stream {
  const rng = new Rng(seed)
  // Little's law: mean in flight = arrival rate × mean time in the system; for 'slots' the busy
  // slots are rate × service, so rate = utilisation × slots × runners / service
  const perRunner = cell.model === 'inflight' ? cell.level : cell.level * p.slots
  const rate = (perRunner * p.runners) / p.serviceMeanMs
  const arrivals = new Float64Array(p.requests)
  const service = new Float64Array(p.requests)
  const edge = new Uint16Array(p.requests)
  let t = 0
  for (let i = 0; i < p.requests; i++) {
    t += rng.exponential(1 / rate)
    arrivals[i] = t
    service[i] = rng.logNormal(p.serviceMeanMs, p.serviceSigma)
    edge[i] = rng.int(p.edges)
  }
  return { arrivals, service, edge, keys: Array.from({ length: p.requests }, () => uuidLike(rng)) }
}

function simulate(p: Params, cell: Cell, stream: Stream, policy: Policy, seed: number) {
  const n = p.runners
  const ids = runnerIdsFor(n)
  const index = new Map(ids.map((id, i) => [id, i]))
  const rng = new Rng(seed)
  const edges = policy === 'twoChoiceManyEdges' ? p.edges : 1
  const loads = Array.from({ length: edges }, () => new RunnerLoad())
  const inflight = new Int32Array(n) // running + queued, what the runner reports
  const running = new Int32Array(n)
  const queues: number[][] = Array.from({ length: n }, () => [])
  const heads = new Int32Array(n)
  const assigned = new Int32Array(n)
  const done = new MinHeap<number>() // completion time → request index
  const runnerOf = new Int32Array(stream.arrivals.length)
  const sojourn: number[] = []
  const ratios: number[] = []
  const maxes: number[] = []
  const warmup = Math.floor(stream.arrivals.length / 10)
  let sumMean = 0
  let samples = 0
  let within = 0

  const startService = (req: number, r: number, now: number) => {
    running[r]++
    done.push(now + stream.service[req], req)
  }
  const complete = (req: number, now: number) => {
    const r = runnerOf[req]
    inflight[r]--
    const edgeLoad = loads[edges === 1 ? 0 : stream.edge[req]]
    edgeLoad.end(ids[r])
    if (cell.model === 'slots') {
      running[r]--
      if (heads[r] < queues[r].length) startService(queues[r][heads[r]++], r, now)
    }
    // the runner's x-crawlfleet-load on this answer: (running + queued) / slots
    edgeLoad.report(ids[r], (inflight[r] / p.slots).toFixed(3), now)
    if (req >= warmup) sojourn.push(now - stream.arrivals[req])
  }

  for (let i = 0; i < stream.arrivals.length; i++) {
    const now = stream.arrivals[i]
    while (done.peekKey() <= now) {
      const t = done.peekKey()
      complete(done.pop()!, t)
    }
    if (i >= warmup) {
      // what this arrival sees (Poisson arrivals see time averages)
      let max = 0
      let sum = 0
      for (let r = 0; r < n; r++) {
        sum += inflight[r]
        if (inflight[r] > max) max = inflight[r]
      }
      const mean = sum / n
      sumMean += mean
      samples++
      if (mean > 0) {
        const ratio = max / mean
        ratios.push(ratio)
        if (ratio <= p.targetBusiestOverMean) within++
      }
      maxes.push(max)
    }
    let r: number
    const edgeLoad = loads[edges === 1 ? 0 : stream.edge[i]]
    if (policy === 'random') r = rng.int(n)
    else {
      // the same placeRequest; the reference policy gives it every runner's true in-flight count instead of a RunnerLoad
      const loadOf = policy === 'twoChoiceTrueInFlight' ? (id: string) => inflight[index.get(id)!] : (id: string) => edgeLoad.loadOf(id, now)
      const order = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: stream.keys[i], loadOf })
      r = index.get(order[0])!
    }
    runnerOf[i] = r
    assigned[r]++
    inflight[r]++
    edgeLoad.begin(ids[r])
    if (cell.model === 'inflight' || running[r] < p.slots) startService(i, r, now)
    else queues[r].push(i)
  }
  while (done.size > 0) {
    const t = done.peekKey()
    complete(done.pop()!, t)
  }

  const meanAssigned = stream.arrivals.length / n
  const ratioDist = dist(ratios, 3)
  return {
    meanInFlightPerRunner: round(sumMean / samples, 2),
    busiestInFlight: dist(maxes, 1),
    busiestOverMean: { median: ratioDist.median, p90: ratioDist.p90, p99: ratioDist.p99, max: ratioDist.max },
    /** share of arrivals that saw the busiest runner within the target of the mean */
    withinTargetPct: round((100 * within) / Math.max(1, ratios.length), 1),
    /** requests each runner received over the whole run, busiest against the mean */
    assignedBusiestOverMean: round(Math.max(...assigned) / meanAssigned, 3),
    ...(cell.model === 'slots' ? { timeInSystemMs: dist(sojourn, 0) } : {}),
  }
}

function placement(p: Params) {
  const cells: Cell[] = [
    ...[1, 2, 4, 8, 16, 32].map((level) => ({ model: 'inflight' as const, level })),
    ...[0.5, 0.8, 0.9].map((level) => ({ model: 'slots' as const, level })),
  ]
  const policies: Policy[] = ['random', 'twoChoice', 'twoChoiceManyEdges', 'twoChoiceTrueInFlight']
  const label = (cell: Cell) => (cell.model === 'inflight' ? `inflight m=${cell.level}` : `slots=${p.slots} ρ=${cell.level}`)
  const results = cells.map((cell, c) => {
    progress(`placement: ${label(cell)}`)
    const stream = makeStream(p, cell, p.seed * 1000 + c)
    const byPolicy = {} as Record<Policy, ReturnType<typeof simulate>>
    for (const policy of policies) byPolicy[policy] = simulate(p, cell, stream, policy, p.seed * 7 + c)
    return { cell: label(cell), model: cell.model, level: cell.level, ...byPolicy }
  })
  const headline = (r: (typeof results)[number]) => ({
    cell: r.cell,
    ...Object.fromEntries(policies.map((policy) => [policy, r[policy].busiestOverMean.median])),
    twoChoiceMeetsTarget: r.twoChoice.busiestOverMean.median <= p.targetBusiestOverMean,
  })
  return {
    runners: p.runners,
    requestsPerCell: p.requests,
    service: { distribution: 'log-normal', meanMs: p.serviceMeanMs, sigma: p.serviceSigma },
    edgesInManyEdgePolicy: p.edges,
    target: `busiest runner ≤ ${p.targetBusiestOverMean}× the mean in-flight (median over arrivals)`,
    notes: [
      'random = uniform single choice (seeded); twoChoice = placeRequest + one RunnerLoad on a simulated clock (begin/end per request, x-crawlfleet-load reported on every answer); twoChoiceManyEdges = the same with each request sent through one of N edges, each with its own RunnerLoad; twoChoiceTrueInFlight = placeRequest given every runner\'s true in-flight count (the best two random choices can do, a reference)',
      'busiestOverMean is sampled at every arrival after the first 10 % (warm-up): max in-flight over mean in-flight across runners',
      'inflight: requests never wait (the brief\'s model); slots: a runner renders `slots` pages at a time and queues the rest FIFO, so imbalance also costs latency',
    ],
    summaryMedianBusiestOverMean: results.map(headline),
    cells: results,
  }
}

// ---------------------------------------------------------------------------------------------

export async function routingSim(argv: readonly string[]): Promise<object> {
  const p = readFlags(argv, DEFAULTS)
  const started = performance.now()
  const process_ = p.mode === 'all' || p.mode === 'process'
  if (process_) progress('decision time')
  const decision = process_ ? decisionTime(p) : undefined
  if (process_) progress('stability')
  const stable = process_ ? stability(p) : undefined
  const place = process_ ? placement(p) : undefined
  const process_only = p.mode === 'process'
  const lambda = process_only ? undefined : await lambdaMode(p, { balance: p.mode !== 'lambda-discovery', discovery: true })
  return {
    bench: 'routing-sim',
    at: new Date().toISOString(),
    node: process.version,
    params: p,
    decisionTime: decision,
    stability: stable,
    placement: place,
    lambda,
    wallSeconds: round((performance.now() - started) / 1000, 1),
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await routingSim(process.argv.slice(2)), null, 2)}\n`)
}
