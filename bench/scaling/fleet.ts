// The runner fleet, request by request, on a simulated clock: Poisson arrivals at the trace's
// rate, an edge that places each request on the less loaded of two random ready runners and
// tries others on a refusal, runners with page slots and a queue bounded by its predicted wait
// (CRAWLFLEET_QUEUE_WAIT_MS), 10-second gauge samples summed into one-minute statistic sets the
// way the CloudWatch publisher sends them, and ECS starting (after a delay) and draining tasks
// as the autoscaler moves the desired count.
import { MinHeap } from '../edge-lib/heap.ts'
import { Rng } from '../edge-lib/prng.ts'
import type { Value } from './metric-math.ts'
import type { MetricRef } from './policy-from-template.ts'
import type { MetricSource } from './autoscaler.ts'

export interface FleetParams {
  readonly slots: number
  readonly serviceMeanMs: number
  readonly serviceSigma: number
  /** the runner's queue budget: a request whose predicted wait exceeds it is refused (429) */
  readonly queueBudgetMs: number
  readonly maxAttempts: number
  /** from the desired count rising to the task taking requests: placement, image pull, start, discovery */
  readonly startDelayMs: number
  readonly startJitterMs: number
  readonly memBasePct: number
  readonly memPerPagePct: number
  readonly seed: number
}

interface Runner {
  readonly id: number
  state: 'starting' | 'ready' | 'draining'
  running: number
  readonly queue: number[]
  /** measured time a page holds a slot (EWMA), for the predicted wait */
  slotMs: number
}

type Stat = { count: number; sum: number; min: number; max: number }

/** The metrics of one fleet, per one-minute period, as CloudWatch would hold them. */
export class MetricStore implements MetricSource {
  private readonly gauges = new Map<string, Stat[]>()
  constructor(
    private readonly namespace: string,
    private readonly service: string,
    /** the metric names the simulation publishes (runner/contract/metric-names.ts) */
    private readonly known: ReadonlySet<string>,
  ) {}

  add(name: string, minute: number, v: number): void {
    let series = this.gauges.get(name)
    if (!series) this.gauges.set(name, (series = []))
    const s = (series[minute] ??= { count: 0, sum: 0, min: Infinity, max: -Infinity })
    s.count++
    s.sum += v
    s.min = Math.min(s.min, v)
    s.max = Math.max(s.max, v)
  }

  datapoint(ref: MetricRef, minute: number): Value {
    if (ref.namespace !== this.namespace || ref.dimensions.Service !== this.service || Object.keys(ref.dimensions).length !== 1) {
      throw new Error(`the simulation publishes no ${ref.namespace} ${ref.metricName} ${JSON.stringify(ref.dimensions)}`)
    }
    if (ref.periodSec !== 60) throw new Error(`${ref.metricName}: only one-minute periods are modelled, got ${ref.periodSec} s`)
    if (!this.known.has(ref.metricName)) throw new Error(`the simulation does not model ${ref.metricName}`)
    const s = this.gauges.get(ref.metricName)?.[minute]
    if (!s || s.count === 0) return undefined
    switch (ref.stat) {
      case 'Average': return s.sum / s.count
      case 'Sum': return s.sum
      case 'Maximum': return s.max
      case 'Minimum': return s.min
      case 'SampleCount': return s.count
    }
    throw new Error(`statistic ${ref.stat} is not modelled`)
  }
}

export interface RequestOutcome {
  readonly atMs: number
  /** served, refused with 429 by every runner tried (predicted wait over budget), timed out in a queue (503), or no runner ready (503) */
  readonly outcome: 'served' | 'refused' | 'timedOut' | 'noRunner'
  /** queue wait of a served request */
  readonly waitMs: number
}

/** The metric names the fleet publishes under. */
export interface FleetMetricNames {
  readonly slotLoad: string
  readonly queueWait: string
  readonly memory: string
  readonly heartbeat: string
  readonly noRunner: string
  /** one sample per finished request (the latency statistic set; its SampleCount counts requests) */
  readonly requests: string
}

export class Fleet {
  private readonly rng: Rng
  private readonly runners = new Map<number, Runner>()
  private ready: Runner[] = []
  private nextId = 0
  private readonly events = new MinHeap<() => void>()
  now = 0
  runnerMs = 0
  private lastCountAt = 0

  constructor(
    private readonly p: FleetParams,
    readonly metrics: MetricStore,
    private readonly names: FleetMetricNames,
    private readonly onOutcome: (o: RequestOutcome) => void,
  ) {
    this.rng = new Rng(p.seed)
  }

  at(ms: number, fn: () => void): void {
    this.events.push(ms, fn)
  }

  /** Runs every event up to `untilMs`. */
  runUntil(untilMs: number): void {
    while (this.events.peekKey() <= untilMs) {
      const key = this.events.peekKey()
      const fn = this.events.pop()!
      this.advance(key)
      fn()
    }
    this.advance(untilMs)
  }

  private advance(ms: number): void {
    this.runnerMs += (ms - this.lastCountAt) * this.runners.size
    this.lastCountAt = ms
    this.now = ms
  }

  /** Runners ECS counts towards the desired count (starting or ready, not draining). */
  get active(): number {
    let n = 0
    for (const r of this.runners.values()) if (r.state !== 'draining') n++
    return n
  }

  get readyCount(): number {
    return this.ready.length
  }

  get total(): number {
    return this.runners.size
  }

  /** Starts runners (ready now when `warm`) or drains them until `desired` are active. */
  reconcile(desired: number, warm = false): void {
    while (this.active < desired) {
      const r: Runner = { id: this.nextId++, state: 'starting', running: 0, queue: [], slotMs: this.p.serviceMeanMs }
      this.runners.set(r.id, r)
      const becomeReady = () => {
        if (r.state !== 'starting') return
        r.state = 'ready'
        this.ready.push(r)
      }
      if (warm) becomeReady()
      else this.at(this.now + this.p.startDelayMs + this.rng.next() * this.p.startJitterMs, becomeReady)
    }
    while (this.active > desired) {
      // ECS stops tasks that are not running yet first, then (here) the ready one with the least work
      const starting = [...this.runners.values()].filter((r) => r.state === 'starting')
      if (starting.length > 0) {
        const r = starting.at(-1)!
        r.state = 'draining'
        this.runners.delete(r.id)
        continue
      }
      const r = this.ready.reduce((a, b) => (b.running + b.queue.length < a.running + a.queue.length ? b : a))
      r.state = 'draining'
      this.ready = this.ready.filter((x) => x !== r)
      this.finishIfDrained(r)
    }
  }

  /** One request arriving now, placed by the edge. */
  arrive(): void {
    const minute = Math.floor(this.now / 60_000)
    if (this.ready.length === 0) {
      this.metrics.add(this.names.noRunner, minute, 1)
      this.onOutcome({ atMs: this.now, outcome: 'noRunner', waitMs: 0 })
      return
    }
    const tried = new Set<Runner>()
    const pick = (): Runner | undefined => {
      const left = this.ready.filter((r) => !tried.has(r))
      if (left.length === 0) return undefined
      const a = left[this.rng.int(left.length)]!
      const b = left[this.rng.int(left.length)]!
      return this.load(b) < this.load(a) ? b : a
    }
    for (let i = 0; i < this.p.maxAttempts; i++) {
      const r = pick()
      if (!r) break
      tried.add(r)
      if (this.admit(r)) return
    }
    this.onOutcome({ atMs: this.now, outcome: 'refused', waitMs: 0 })
  }

  private load(r: Runner): number {
    return (r.running + r.queue.length) / this.p.slots
  }

  private predictedWaitMs(r: Runner, ahead: number): number {
    return r.running < this.p.slots ? 0 : (ahead * r.slotMs) / this.p.slots
  }

  private admit(r: Runner): boolean {
    if (r.running < this.p.slots) {
      this.start(r, this.now)
      return true
    }
    if (this.predictedWaitMs(r, r.queue.length + 1) > this.p.queueBudgetMs) return false
    r.queue.push(this.now)
    return true
  }

  private start(r: Runner, arrivedAt: number): void {
    r.running++
    this.onOutcome({ atMs: arrivedAt, outcome: 'served', waitMs: this.now - arrivedAt })
    const serviceMs = this.rng.logNormal(this.p.serviceMeanMs, this.p.serviceSigma)
    this.at(this.now + serviceMs, () => {
      this.metrics.add(this.names.requests, Math.floor(this.now / 60_000), this.now - arrivedAt)
      r.running--
      r.slotMs = 0.9 * r.slotMs + 0.1 * serviceMs
      this.startNext(r)
      this.finishIfDrained(r)
    })
  }

  /** The next queued request takes the free slot; those that waited past the budget were refused (the runner's queue timeout, 503). */
  private startNext(r: Runner): void {
    for (let next = r.queue.shift(); next !== undefined; next = r.queue.shift()) {
      if (this.now - next <= this.p.queueBudgetMs) return this.start(r, next)
      this.onOutcome({ atMs: next, outcome: 'timedOut', waitMs: 0 })
    }
  }

  private finishIfDrained(r: Runner): void {
    if (r.state === 'draining' && r.running === 0 && r.queue.length === 0) this.runners.delete(r.id)
  }

  /** Every runner that is up publishes a sample of each gauge (every 10 s in the runner). */
  sample(): void {
    const minute = Math.floor(this.now / 60_000)
    for (const r of this.runners.values()) {
      if (r.state === 'starting') continue
      this.metrics.add(this.names.slotLoad, minute, 100 * this.load(r))
      this.metrics.add(this.names.queueWait, minute, this.predictedWaitMs(r, r.queue.length))
      this.metrics.add(this.names.memory, minute, this.p.memBasePct + this.p.memPerPagePct * r.running)
    }
  }

  /** The heartbeat: one per publishing runner per minute. */
  heartbeat(): void {
    const minute = Math.floor(this.now / 60_000) - 1
    for (const r of this.runners.values()) if (r.state !== 'starting') this.metrics.add(this.names.heartbeat, minute, 1)
  }
}
