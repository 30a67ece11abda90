import type { BrowserConfigInput } from '../../runner/contract/browser-config.ts'
import { FIXTURE_MARKER } from '../lib/baselines.ts'
import { counterDelta, pressures, totalCounters, type Pressure } from '../lib/observe.ts'
import { call, type StageContext, type StageResult } from './context.ts'
import { signatureOfConfig } from './mix.ts'

const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 800, height: 600 },
  { width: 375, height: 667 },
  { width: 1920, height: 1080 },
]
const LAUNCH: readonly BrowserConfigInput[] = [{ text_mode: true }, { light_mode: true }, { extra_args: ['--lang=de-DE'] }]

/** The tier of the browser with this signature, and the runner that holds it. */
function tierOf(ps: readonly Pressure[], signature: string): string {
  for (const p of ps) {
    const b = p.pool.browsers.find((x) => x.signature === signature && x.state === 'active')
    if (b) return `${b.tier}@${p.runner}`
  }
  return 'none'
}

/** 5. Four viewports share the default browser; three launch variants start cold and turn hot on their 3rd use. */
export async function variants(ctx: StageContext): Promise<StageResult> {
  const before = totalCounters(await pressures(ctx.stack))
  const viewportStatuses: number[] = []
  for (const viewport of VIEWPORTS) viewportStatuses.push((await call(ctx, '/html', { url: ctx.pageUrl, viewport }, FIXTURE_MARKER)).status)
  const afterViewports = counterDelta(totalCounters(await pressures(ctx.stack)), before)
  const viewportsOk = viewportStatuses.every((s) => s === 200) && afterViewports.launches === 0 && afterViewports.misses === 0

  const launch: Record<string, { signature: string; statuses: number[]; tierAfterUse: string[] }> = {}
  for (const config of LAUNCH) {
    const signature = signatureOfConfig(config)
    const row = { signature, statuses: [] as number[], tierAfterUse: [] as string[] }
    for (let use = 1; use <= 3; use++) {
      row.statuses.push((await call(ctx, '/html', { url: ctx.pageUrl, browser_config: config }, FIXTURE_MARKER)).status)
      row.tierAfterUse.push(tierOf(await pressures(ctx.stack), signature))
    }
    launch[JSON.stringify(config)] = row
  }
  const expected = (t: string[]) => t[0]?.startsWith('cold@') && t[1]?.startsWith('cold@') && t[2]?.startsWith('hot@') && new Set(t.map((x) => x.split('@')[1])).size === 1
  const launchOk = Object.values(launch).every((r) => r.statuses.every((s) => s === 200) && expected(r.tierAfterUse))
  const counters = counterDelta(totalCounters(await pressures(ctx.stack)), before)
  return {
    stage: 5,
    name: 'variants',
    target: '4 viewports on one browser; 3 launch variants cold, hot on their 3rd use',
    measured:
      `viewports: statuses ${viewportStatuses.join(',')}, launches +${afterViewports.launches}; ` +
      Object.entries(launch).map(([k, r]) => `${k}: ${r.tierAfterUse.map((t) => t.split('@')[0]).join('→')}`).join('; ') +
      `; launches +${counters.launches}, promotions +${counters.promotions}`,
    met: viewportsOk && launchOk,
    data: { viewports: { statuses: viewportStatuses, counters: afterViewports }, launch, counters },
  }
}
