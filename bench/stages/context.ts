import type { Answer } from '../lib/load.ts'
import { postJson } from '../lib/http.ts'
import type { RunnersMemory } from '../lib/observe.ts'
import type { Stack } from '../lib/stack.ts'
import type { StagedParams } from './params.ts'

export interface StageContext {
  readonly stack: Stack
  /** the fixture site's home page, whose HTML holds FIXTURE_MARKER */
  readonly pageUrl: string
  readonly siteUrl: string
  readonly p: StagedParams
  /** idle PSS of the runners (stage 2), for stage 7 */
  idle?: { atStart: RunnersMemory; afterFirstUse: RunnersMemory }
}

export interface StageResult {
  readonly stage: number
  readonly name: string
  /** the issue's target, when it has one */
  readonly target?: string
  /** one line for the table */
  readonly measured: string
  /** null: nothing to judge, or not measurable here */
  readonly met: boolean | null
  readonly data: Record<string, unknown>
}

/**
 * POSTs to the stack. A 2xx whose body lacks `expect` counts as "wrong-body"; a 429/503 without
 * Retry-After counts apart, since issue 6 allows refusals only with one.
 */
export async function call(ctx: StageContext, path: string, body: object, expect?: string): Promise<Answer> {
  const res = await postJson(`${ctx.stack.url}${path}`, body)
  if (res.status >= 200 && res.status < 300) return expect && !res.body.includes(expect) ? { status: 1, label: 'wrong-body' } : res
  if ((res.status === 429 || res.status === 503) && res.retryAfterSec === undefined) return { ...res, label: `${res.status}-without-retry-after` }
  return res
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Summaries keep only what the table needs; the whole cell goes into `data`. */
export function latencyLine(c: { ok: number; requests: number; medianMs: number; p99Ms: number; throughput: number; errors: Record<string, number> }): string {
  const errs = Object.entries(c.errors).map(([k, v]) => `${k}×${v}`).join(' ')
  return `${c.ok}/${c.requests} ok, median ${c.medianMs} ms, p99 ${c.p99Ms} ms, ${c.throughput} req/s${errs ? `, ${errs}` : ''}`
}
