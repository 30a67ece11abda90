import { cgroupWorkingSet } from '../lib/memory.ts'
import { pressures, steadyRunnersMemory } from '../lib/observe.ts'
import { ratio, round } from '../lib/stats.ts'
import { sleep, type StageContext, type StageResult } from './context.ts'

/** 7. After the bursts of stages 4–6, idle past the TTLs: every hot and cold browser closed, memory back within 10 % of idle. */
export async function recovery(ctx: StageContext): Promise<StageResult> {
  const start = Date.now()
  const deadline = start + ctx.p.recoveryMaxWaitSec * 1000
  let left = Infinity
  while (Date.now() < deadline) {
    left = (await pressures(ctx.stack)).reduce((n, p) => n + p.pool.hot + p.pool.cold + p.pool.retired + p.pool.launching, 0)
    if (left === 0) break
    await sleep(1000)
  }
  const waitedSec = Math.round((Date.now() - start) / 1000)
  await sleep(ctx.p.settleSec * 1000)
  const mem = await steadyRunnersMemory(ctx.stack)
  const idle = ctx.idle
  const overStart = idle ? ratio(mem.pssMb, idle.atStart.pssMb) : null
  const overFirstUse = idle ? ratio(mem.pssMb, idle.afterFirstUse.pssMb) : null
  const growth = idle && { runnerNodeMb: round(mem.runnerNodeMb - idle.afterFirstUse.runnerNodeMb), chromiumMb: round(mem.chromiumMb - idle.afterFirstUse.chromiumMb) }
  const spares = (await pressures(ctx.stack)).reduce((n, p) => n + p.pool.spares, 0)
  return {
    stage: 7,
    name: 'recovery',
    target: 'memory within 10 % of the idle footprint once idle past the TTLs',
    measured:
      `${left === 0 ? `all pooled browsers closed after ${waitedSec} s` : `${left} pooled browser(s) still open after ${waitedSec} s`}; ` +
      `${mem.pssMb} MB PSS = ${overStart}× idle at start, ${overFirstUse}× idle after first use (${spares} warm spare(s))` +
      (growth ? `; since first use: runner Node ${growth.runnerNodeMb >= 0 ? '+' : ''}${growth.runnerNodeMb} MB, Chromium ${growth.chromiumMb >= 0 ? '+' : ''}${growth.chromiumMb} MB` : ''),
    met: left === 0 && overStart !== null && overStart <= 1.1,
    data: { waitedSec, pooledBrowsersLeft: left, memory: mem, idle, ratioOverIdleAtStart: overStart, ratioOverIdleAfterFirstUse: overFirstUse, growthSinceFirstUseMb: growth, warmSpares: spares, cgroupWorkingSet: (await cgroupWorkingSet()) ?? 'not in a cgroup with a memory limit' },
  }
}
