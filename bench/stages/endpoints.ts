import { FIXTURE_MARKER } from '../lib/baselines.ts'
import { runClosedLoop } from '../lib/load.ts'
import { summarize, type CellSummary } from '../lib/stats.ts'
import { call, latencyLine, type StageContext, type StageResult } from './context.ts'

/** Each endpoint's body for the fixture page, and a string its 200 answer must hold. */
function endpoints(url: string, siteUrl: string): { path: string; body: object; expect: string }[] {
  return [
    { path: '/html', body: { url }, expect: FIXTURE_MARKER },
    { path: '/screenshot', body: { url }, expect: '"screenshot":"iVBOR' }, // base64 of the PNG signature
    { path: '/pdf', body: { url }, expect: '"pdf":"JVBER' }, // base64 of "%PDF"
    { path: '/execute_js', body: { url, scripts: ['document.getElementById("marker").textContent'] }, expect: `"${FIXTURE_MARKER}"` },
    { path: '/md', body: { url, f: 'raw' }, expect: FIXTURE_MARKER },
    { path: '/crawl', body: { urls: [url, `${siteUrl}/about.html`] }, expect: '"success":true' },
  ]
}

/** 6. Every endpoint × N, at 4 clients. */
export async function everyEndpoint(ctx: StageContext): Promise<StageResult> {
  const cells: Record<string, CellSummary> = {}
  for (const e of endpoints(ctx.pageUrl, ctx.siteUrl)) {
    const res = await runClosedLoop({ concurrency: 4, requests: ctx.p.endpointRequests, maxDurationMs: 120_000, send: () => call(ctx, e.path, e.body, e.expect) })
    cells[e.path] = summarize(res.samples, res.wallMs)
  }
  const met = Object.values(cells).every((c) => c.ok === c.requests && c.requests === ctx.p.endpointRequests)
  return {
    stage: 6,
    name: 'every endpoint',
    target: `${ctx.p.endpointRequests} × each of ${Object.keys(cells).join(', ')}, all 200`,
    measured: Object.entries(cells).map(([p, c]) => `${p}: ${latencyLine(c)}`).join('; '),
    met,
    data: { cells },
  }
}
