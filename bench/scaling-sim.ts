// `npm run bench -- scaling-sim [--param=value …]`: the runner fleet's scaling policy, played on
// a load trace. It synthesises the stack (offline, like `npm run synth`), READS the scalable
// target, the step policies and their alarms (metric math included) from the template, and
// feeds them the metrics a simulated fleet publishes while the trace in bench/scaling/load-trace.json
// (quiet, burst, plateau, idle, a diurnal day) arrives. It counts scale events and checks:
//  - no oscillation: no scale-in followed by a scale-out within 10 minutes;
//  - served requests' queue wait stays within the runners' queue budget (p99 per phase).
// Two stacks: the defaults (minRunners 1) and minRunners 0 (the fleet may scale to nothing).
// Pure simulation: no sockets, no Chromium, seconds of CPU; the numbers depend on the modelled
// service time and start delay (parameters below), not on this machine's load.
import { readFileSync } from 'node:fs'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import { synthStack, tempOutdir } from '../tests/helpers/synth-stack.ts'
import { describeMachine } from './lib/machine.ts'
import { readParams, type Args } from './lib/params.ts'
import { machineLine, progress, publish, table } from './lib/report.ts'
import { quantile, round } from './lib/stats.ts'
import { TRACE_PATH, type LoadTrace } from './scaling/make-trace.ts'
import type { Template } from './scaling/policy-from-template.ts'
import { reversals, simulate, type SimResult } from './scaling/simulate.ts'

export const DEFAULTS = {
  /** page slots per runner: 2 vCPU × CRAWLFLEET_PAGES_PER_CORE 2 */
  slots: 4,
  /** mean time a page holds a slot, log-normal */
  serviceMeanMs: 800,
  serviceSigma: 0.5,
  /** CRAWLFLEET_QUEUE_WAIT_MS: the runner refuses what would wait longer */
  queueBudgetMs: 10_000,
  /** runners the edge tries per request */
  maxAttempts: 4,
  /** desired count up → the task takes requests: Fargate placement, image pull, Chromium, health check, discovery */
  startDelaySec: 75,
  startJitterSec: 30,
  /** after a minute ends, when its alarms see it (the runners publish at the end of each minute) */
  alarmLagSec: 30,
  memBasePct: 6,
  memPerPagePct: 1.5,
  /** a scale-in followed by a scale-out within this is an oscillation */
  oscillationWindowMin: 10,
  seed: 1,
  /** extra crawlfleet:<key> context for every variant, as JSON (e.g. '{"scaleOutAfterMin":1}'), to try a policy change */
  context: '',
}

type Params = typeof DEFAULTS

const VARIANTS: readonly { readonly name: string; readonly context: Record<string, string | number> }[] = [
  { name: 'defaults (minRunners 1, maxRunners 10)', context: {} },
  { name: 'minRunners 0 (scale to nothing)', context: { minRunners: 0 } },
]

function synthTemplate(context: Record<string, string | number>): Template {
  const out = tempOutdir()
  try {
    // a registry image: the image's content does not matter here, and hashing the repository would
    return synthStack(out.dir, { context, runnerImage: ecs.ContainerImage.fromRegistry('crawlfleet-runner') }).template.toJSON() as Template
  } finally {
    out.remove()
  }
}

function summarise(r: SimResult, p: Params, trace: LoadTrace) {
  const windowMs = p.oscillationWindowMin * 60_000
  const rev = reversals(r.events, windowMs)
  const phases = trace.phases.map(({ name }) => {
    const b = r.byPhase.get(name)!
    const rows = r.minutes.filter((m) => m.phase === name)
    const requests = b.served + b.refused + b.timedOut + b.noRunner
    return {
      phase: name,
      minutes: rows.length,
      requests,
      servedPct: round((100 * b.served) / Math.max(1, requests), 3),
      refused429: b.refused,
      queueTimeout503: b.timedOut,
      noRunner503: b.noRunner,
      waitP50Ms: round(quantile(b.waits, 0.5), 0),
      waitP99Ms: round(quantile(b.waits, 0.99), 0),
      waitMaxMs: round(b.waits.reduce((a, w) => Math.max(a, w), 0), 0),
      runners: { min: Math.min(...rows.map((m) => m.ready)), max: Math.max(...rows.map((m) => m.ready)), mean: round(rows.reduce((a, m) => a + m.total, 0) / rows.length, 2) },
      runnerHours: round((r.phaseRunnerMs.get(name) ?? 0) / 3_600_000, 2),
      scaleOuts: r.events.filter((e) => e.to > e.from && phaseAt(trace, e.atMs) === name).length,
      scaleIns: r.events.filter((e) => e.to < e.from && phaseAt(trace, e.atMs) === name).length,
    }
  })
  const worstP99 = Math.max(...phases.map((x) => x.waitP99Ms).filter(Number.isFinite))
  return {
    scaleOuts: r.events.filter((e) => e.to > e.from).length,
    scaleIns: r.events.filter((e) => e.to < e.from).length,
    inThenOutWithinWindow: rev.inThenOut.length,
    outThenInWithinWindow: rev.outThenIn.length,
    wakeUpsFromZeroWithinWindow: rev.wakeUps.length,
    worstPhaseWaitP99Ms: worstP99,
    pass: rev.inThenOut.length === 0 && worstP99 <= p.queueBudgetMs,
    runnerHours: round(r.runnerHours, 1),
    phases,
    firstEvents: r.events.slice(0, 40).map((e) => ({ atMin: round(e.atMs / 60_000, 1), from: e.from, to: e.to, value: round(e.value, 1), alarm: e.alarm })),
    inThenOut: rev.inThenOut.slice(0, 10),
    outThenIn: rev.outThenIn.slice(0, 10),
    wakeUps: rev.wakeUps.slice(0, 10),
  }
}

const phaseAt = (trace: LoadTrace, ms: number) => [...trace.phases].reverse().find((ph) => ph.startMin <= ms / 60_000)?.name

function policyRead(r: SimResult) {
  return {
    minCapacity: r.model.minCapacity,
    maxCapacity: r.model.maxCapacity,
    alarms: r.model.alarms.map((a) => ({
      alarm: a.id,
      returns: a.series.find((s) => s.returnData)?.expressionText,
      threshold: a.threshold,
      comparison: a.comparison,
      datapoints: `${a.datapointsToAlarm} of ${a.evaluationPeriods}`,
      policy: { type: a.policy.adjustmentType, cooldownSec: a.policy.cooldownSec, minAdjustment: a.policy.minAdjustmentMagnitude, steps: a.policy.steps },
    })),
  }
}

export async function scalingSim(args: Args): Promise<void> {
  const p = readParams(args, DEFAULTS)
  const trace = JSON.parse(readFileSync(TRACE_PATH, 'utf8')) as LoadTrace
  const started = performance.now()
  const variants = []
  for (const v of VARIANTS) {
    progress(`${v.name}: synthesising the stack`)
    const template = synthTemplate({ ...v.context, ...(p.context ? (JSON.parse(p.context) as Record<string, string | number>) : {}) })
    progress(`${v.name}: simulating ${trace.ratePerSec.length} minutes`)
    const result = simulate(template, trace, {
      ...p,
      startDelayMs: p.startDelaySec * 1000,
      startJitterMs: p.startJitterSec * 1000,
      alarmLagMs: p.alarmLagSec * 1000,
      service: 'Crawlfleet',
    })
    variants.push({ name: v.name, context: v.context, policyRead: policyRead(result), ...summarise(result, p, trace) })
  }
  const report = {
    scenario: 'scaling-sim',
    date: new Date().toISOString(),
    machine: await describeMachine(),
    params: p,
    durationSec: Math.round((performance.now() - started) / 1000),
    notes: [
      'policies, alarms and bounds are read from the synthesised template; the fleet, the edge and AWS timing are modelled (see bench/scaling/)',
      'trace: bench/scaling/load-trace.json, synthetic (bench/scaling/make-trace.ts), not a production recording',
      `pass = no scale-in followed by a scale-out within ${p.oscillationWindowMin} min, and every phase's p99 queue wait ≤ the ${p.queueBudgetMs} ms budget`,
    ],
    trace: { minutes: trace.ratePerSec.length, phases: trace.phases },
    variants,
  }
  await publish(report, markdown(report))
}

type PolicyRead = ReturnType<typeof policyRead>

function describePolicy(pr: PolicyRead): string {
  const alarms = pr.alarms.map((a) => {
    const steps = a.policy.steps.map((st) => `${st.adjustment > 0 ? '+' : ''}${st.adjustment}${a.policy.type === 'PercentChangeInCapacity' ? ' %' : ''}`).join(' / ')
    const op = { GreaterThanOrEqualToThreshold: '≥', GreaterThanThreshold: '>', LessThanThreshold: '<', LessThanOrEqualToThreshold: '≤' }[a.comparison]
    return `\`${a.returns}\` ${op} ${a.threshold} in ${a.datapoints} min → ${steps} (cooldown ${a.policy.cooldownSec} s)`
  })
  return `Read from the template: capacity ${pr.minCapacity}–${pr.maxCapacity}; ${alarms.join('; ')}.\n`
}

function markdown(r: { machine: Parameters<typeof machineLine>[0]; params: Params; variants: ({ name: string; policyRead: PolicyRead } & ReturnType<typeof summarise>)[] }): string {
  const out = [`# scaling-sim\n`, `${machineLine(r.machine)}. Simulated: no timing depends on this machine.\n`]
  out.push(`Fleet model: ${r.params.slots} slots a runner, pages hold a slot ${r.params.serviceMeanMs} ms on average, queue budget ${r.params.queueBudgetMs} ms, tasks take requests ${r.params.startDelaySec}–${r.params.startDelaySec + r.params.startJitterSec} s after a scale-out.\n`)
  for (const v of r.variants) {
    out.push(`## ${v.name}: ${v.pass ? 'PASS' : 'FAIL'}\n`)
    out.push(describePolicy(v.policyRead))
    const wakeUps = v.wakeUpsFromZeroWithinWindow ? `; wake-ups from zero runners within ${r.params.oscillationWindowMin} min of emptying (new traffic after a silence, not counted above): ${v.wakeUpsFromZeroWithinWindow}` : ''
    out.push(`${v.scaleOuts} scale-outs, ${v.scaleIns} scale-ins; scale-in then scale-out within ${r.params.oscillationWindowMin} min: **${v.inThenOutWithinWindow}**; scale-out then scale-in within ${r.params.oscillationWindowMin} min: ${v.outThenInWithinWindow}${wakeUps}; ${v.runnerHours} runner-hours.\n`)
    out.push(
      table(
        ['phase', 'min', 'requests', 'served %', '429 over budget', '503 queue timeout', '503 no runner', 'wait p50 ms', 'wait p99 ms', 'wait max ms', 'ready runners', 'runner-h', 'outs', 'ins'],
        v.phases.map((x) => [x.phase, x.minutes, x.requests, x.servedPct, x.refused429, x.queueTimeout503, x.noRunner503, x.waitP50Ms, x.waitP99Ms, x.waitMaxMs, `${x.runners.min}–${x.runners.max}`, x.runnerHours, x.scaleOuts, x.scaleIns]),
      ),
    )
    out.push('')
  }
  return out.join('\n')
}
