import type { OpenAPIHono } from '@hono/zod-openapi'
import type { RunnerConfig } from './config.ts'
import { newInstanceNonce } from './contract/job-id.ts'
import type { RouteGuards } from './http/app.ts'
import { JobRunner } from './jobs/job-runner.ts'
import { JobStore, type JobStoreStats } from './jobs/job-store.ts'
import { pinnedPost } from './jobs/pinned-post.ts'
import type { LlmClient } from './llm/openai-client.ts'
import { registerJobRoutes } from './routes/jobs.ts'
import type { PageWorkFactory } from './session/page-work.ts'
import type { Clock } from './util/clock.ts'
import type { Logger } from './util/logger.ts'

export interface RunnerJobs {
  readonly instance: string
  extraRoutes(app: OpenAPIHono, guard: RouteGuards): void
  stats(): JobStoreStats
  /** pending jobs fail, no new job is taken; running ones go on while the runner drains */
  drain(): void
}

/** The runner's background jobs (POST /crawl/job, /llm/job): a store in memory, a runner, the routes. */
export function wireJobs(
  config: RunnerConfig,
  o: {
    readonly clock: Clock
    readonly nowWallMs: () => number
    readonly pageWork: PageWorkFactory
    readonly pageSlots: () => number
    readonly llm: LlmClient | undefined
    readonly checkUrl: (url: string, field: string) => Promise<void>
    readonly resolveAllowed: (hostname: string, field: string) => Promise<string>
    readonly memoryOk: () => Promise<boolean>
    readonly log: Logger
  },
): RunnerJobs {
  const instance = newInstanceNonce()
  const store = new JobStore({ settings: config.jobs, nowMs: o.nowWallMs, instance })
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })
  const runner = new JobRunner({
    store,
    running: config.jobs.running,
    webhook: config.webhook,
    send: pinnedPost(o.resolveAllowed),
    nowMs: o.nowWallMs,
    sleep,
    log: (event, fields) => o.log.info({ event, ...fields }),
  })
  // finished jobs are forgotten on access too; this only frees memory when nobody asks
  setInterval(() => store.sweep(), Math.min(60_000, config.jobs.ttlMs)).unref()
  return {
    instance,
    extraRoutes: (app, guard) =>
      registerJobRoutes(app, guard, {
        store,
        runner,
        pageWork: o.pageWork,
        clock: o.clock,
        crawlWorkers: () => Math.max(1, Math.floor(o.pageSlots() / 2)),
        llm: o.llm,
        webhooksConfigured: config.webhook !== undefined,
        memoryOk: o.memoryOk,
        checkUrl: o.checkUrl,
        sleep,
      }),
    stats: () => store.stats(),
    drain: () => store.drain('the runner is shutting down; the job had not started'),
  }
}
