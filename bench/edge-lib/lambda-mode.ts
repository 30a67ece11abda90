// The Lambda mode of `npm run bench -- routing-sim`: balance and discovery cost of the edge as a
// fleet of single-request Lambda instances (bench/edge-lib/lambda-fleet.ts does one run).
import { median } from '../lib/stats.ts'
import { progress } from './args.ts'
import { LAMBDA_POLICIES, simulateLambdaFleet, type LambdaParams, type LambdaPolicy } from './lambda-fleet.ts'

export const LAMBDA_SOURCES = {
  coldStartShare: 'https://docs.aws.amazon.com/lambda/latest/operatorguide/execution-environments.html ("cold starts typically occur in under 1% of invocations")',
  idleRecycle: 'https://mikhail.io/2019/08/aws-lambda-cold-starts-after-10-minutes/ (an idle instance lives 10 minutes after its last request)',
  lifetime: 'https://xebia.com/blog/til-that-aws-lambda-terminates-instances-preemptively/ (busy instances are replaced about every 2 hours)',
  discoverInstancesQuota: 'https://docs.aws.amazon.com/cloud-map/latest/dg/throttling.html (DiscoverInstances: bucket 2,000, refill 1,000 per second, per account and Region)',
}

export async function lambdaMode(p: LambdaParams, parts: { balance: boolean; discovery: boolean } = { balance: true, discovery: true }) {
  const balance = []
  const seeds = Array.from({ length: Math.max(1, p.balanceSeeds) }, (_, k) => p.seed + k)
  for (const instances of parts.balance ? [100, 1000] : []) {
    for (const inflightPerRunner of [4, 8, 16]) {
      progress(`lambda: ${instances} instances, ${inflightPerRunner} in flight per runner, seeds ${seeds.join(', ')}`)
      const byPolicy = {} as Record<LambdaPolicy, { busiestOverMean: number; busiestAboveCeilingPct: number; meetsTarget: boolean; bySeed: Awaited<ReturnType<typeof simulateLambdaFleet>>[] }>
      for (const policy of LAMBDA_POLICIES) {
        const bySeed = []
        for (const seed of seeds) bySeed.push(await simulateLambdaFleet({ ...p, seed }, { instances, inflightPerRunner }, policy))
        // the busiest runner is a whole number of requests, so a mean a little under m (time spent
        // probing and hopping) tips one seed over m+1 / m: read the median of the seeds
        const busiestOverMean = median(bySeed.map((r) => r.busiestOverMean.median))
        byPolicy[policy] = { busiestOverMean, busiestAboveCeilingPct: median(bySeed.map((r) => r.busiestAboveCeilingPct)), meetsTarget: busiestOverMean <= p.targetBusiestOverMean, bySeed }
      }
      balance.push({ instances, inflightPerRunner, runners: byPolicy.random.bySeed[0].runners, ...byPolicy })
    }
  }
  const discovery = []
  // placement does not change what discovery costs: the cheap random placement, over a longer run
  const dp = { ...p, lambdaRequests: p.lambdaDiscoveryRequests }
  for (const instances of parts.discovery ? [10, 100, 1000] : []) {
    progress(`lambda discovery: ${instances} instances`)
    const cloudMap = await simulateLambdaFleet(dp, { instances, inflightPerRunner: 8 }, 'random')
    // today's edge: ECS ListTasks + DescribeTasks (2 calls for ≤ 100 tasks) every 10 s per instance
    const ecsToday = await simulateLambdaFleet(dp, { instances, inflightPerRunner: 8 }, 'random', { ttlMs: 10_000, callsPerRefresh: 2 })
    discovery.push({
      instances,
      coldStartPct: cloudMap.coldStartPct,
      simulatedSeconds: cloudMap.simulatedSeconds,
      cloudMapCallsPerSec: cloudMap.discoveryApiCallsPerSec,
      /** warm pool ⌈N + 3√N⌉ / TTL, plus cold starts: what the run should come near */
      cloudMapExpectedPerSec: Number((Math.ceil(instances + 3 * Math.sqrt(instances)) / (p.discoveryTtlMs / 1000)).toFixed(2)),
      ecsTodayCallsPerSec: ecsToday.discoveryApiCallsPerSec,
      meetsTarget: cloudMap.discoveryApiCallsPerSec <= p.targetApiCallsPerSec,
    })
  }
  const headline = balance.map((b) => ({
    cell: `${b.instances} instances, m=${b.inflightPerRunner} (${b.runners} runners)`,
    ...Object.fromEntries(LAMBDA_POLICIES.map((policy) => [policy, b[policy].busiestOverMean])),
    probe8MeetsTarget: b.probe8.meetsTarget,
    loadStoreMeetsTarget: b.loadStore.meetsTarget,
    /** % of arrivals at which the busiest runner held more than ⌈mean⌉ (median of the seeds): above ~50 %, the median ratio is read past the step at (⌈m⌉ + 1) / m */
    busiestAboveCeilingPct: Object.fromEntries(LAMBDA_POLICIES.map((policy) => [policy, b[policy].busiestAboveCeilingPct])),
  }))
  return {
    target: `busiest runner ≤ ${p.targetBusiestOverMean}× the mean in flight (median over arrivals; the median of ${p.balanceSeeds} seeds) at m = 4, 8, 16; discovery ≤ ${p.targetApiCallsPerSec} API calls/s at 1,000 instances`,
    model: {
      arrivals: 'Poisson at N / mean service time, so about N requests are in flight, one per busy instance',
      runners: 'R = N / m runners; a request holds its runner for a log-normal service time (no slots: the in-flight model of the target)',
      instances: 'an idle warm instance takes the request (random among idle ones), else a cold one starts (log-normal init + first discovery read)',
      discovery: `each instance runs edge/discovery/cached.ts on the simulated clock: TTL ${p.discoveryTtlMs} ms ± ${p.discoveryJitter * 100} %, one DiscoverInstances per refresh; calls counted after the warm-up`,
    },
    policies: {
      random: 'one runner at random (what two-choice degrades to with no load information)',
      instanceMemory: 'today’s code in Lambda: two-choice on the RunnerLoad of the instance that happens to serve the request',
      probe2: 'GET /ready of 2 candidates, the lighter one gets the request with the other’s load as its bound (429 at once if above it)',
      probe2NoBound: 'probe2 without the bound (what the runner-side hook adds)',
      probe4: 'probe2 with 4 candidates',
      probe8: 'probe2 with 8 candidates: the default (CRAWLFLEET_PROBE_CANDIDATES=8)',
      probe16: 'probe2 with 16 candidates (more requests pick the same light runner within one probe round trip)',
      loadStore: 'the load store (runner/contract/load-store.ts): one atomic pick of the least loaded runner in a shared Redis/Valkey, which counts the request there at once; the runner takes it off when done (half a store round trip later); the pick costs one store round trip (storeRttMs) before the hop',
      longLivedEdge: 'reference: one long-lived process routing everything (today’s local edge)',
      leastLoadedOfAll: 'lower bound for any placement: the least loaded runner of the fleet, known exactly and at once (a central dispatcher)',
    },
    sources: LAMBDA_SOURCES,
    summaryMedianBusiestOverMean: headline,
    discovery,
    balance,
  }
}
