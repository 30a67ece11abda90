import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { browserRequestOf } from '../contract/browser-request.ts'
import { LlmNotConfiguredError, MemoryPressureError, WebhooksNotConfiguredError, type ErrorCode } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import { isRunnerKey, NO_RUNNER_KEY, type JobKind } from '../contract/job-id.ts'
import { CrawlJobRequest, JobAccepted, JobStatus, LlmJobRequest, type WebhookConfig } from '../contract/job-schemas.ts'
import { CRAWL_TIMEOUT_MS } from '../contract/request-schemas.ts'
import type { RouteGuards } from '../http/app.ts'
import { errorResponses, PAGE_ROUTE_ERRORS } from '../http/openapi-errors.ts'
import type { JobRunner } from '../jobs/job-runner.ts'
import type { JobStore } from '../jobs/job-store.ts'
import { patientWork } from '../jobs/patient-work.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { askAboutPage, LLM_EXTRA_MS } from '../pages/ask-page.ts'
import { crawlInOrder } from '../pages/crawl-in-order.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import type { PageWork, PageWorkFactory } from '../session/page-work.ts'
import { requestDeadline } from '../session/request-deadline.ts'
import type { Clock } from '../util/clock.ts'

// crawl4ai's job API on the runner: POST /crawl/job and /llm/job take the body of /crawl and /llm plus
// webhook_config and answer 202 {task_id} at once; the work runs in the background (runner/jobs/), and
// GET …/job/{task_id} answers its status. The edge routes a status request here by the task id.

export interface JobRouteDeps {
  readonly store: JobStore
  readonly runner: JobRunner
  readonly pageWork: PageWorkFactory
  readonly clock: Clock
  /** pages one crawl job may have in flight: half the runner's page slots, so jobs leave room for requests */
  crawlWorkers(): number
  readonly llm: LlmClient | undefined
  readonly webhooksConfigured: boolean
  /** false when memory is at or above the launch gate: a job's results would only add to it */
  memoryOk(): Promise<boolean>
  checkUrl(url: string, field: string): Promise<void>
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

const JOB_ERRORS: readonly ErrorCode[] = [...PAGE_ROUTE_ERRORS, 'JOBS_FULL', 'WEBHOOKS_NOT_CONFIGURED']

export function registerJobRoutes(app: OpenAPIHono, guard: RouteGuards, deps: JobRouteDeps): void {
  async function accept(c: Context, kind: JobKind, urls: string[], webhook: WebhookConfig | undefined, work: () => Promise<unknown>) {
    if (webhook && !deps.webhooksConfigured) throw new WebhooksNotConfiguredError()
    if (webhook) await deps.checkUrl(webhook.webhook_url, 'webhook_config.webhook_url')
    if (!(await deps.memoryOk())) throw new MemoryPressureError('the runner is under memory pressure: no new job')
    const key = c.req.header(HEADER.runnerKey)
    const job = deps.store.accept(kind, urls, isRunnerKey(key) ? key : NO_RUNNER_KEY, webhook?.webhook_url)
    deps.runner.submit(job, work, webhook)
    return c.json({ task_id: job.taskId }, 202)
  }

  /** The job's own deadline and pages of its browser; the edge's deadline was for the 202, not for the job. */
  async function inBackground<T>(input: Parameters<typeof browserRequestOf>[0], timeoutMs: number, fn: (work: PageWork) => Promise<T>): Promise<T> {
    const deadline = requestDeadline({ clock: deps.clock, timeoutMs, deadlineHeader: undefined, clientSignal: undefined })
    try {
      return await fn(patientWork(deps.pageWork(browserRequestOf(input), deadline), deps.sleep))
    } finally {
      deadline.dispose()
    }
  }

  guard.post('/crawl/job')
  app.openapi(jobPost('/crawl/job', CrawlJobRequest, 'Crawl in the background: 202 {task_id} now, the result from GET /crawl/job/{task_id}'), async (c: Context) => {
    const input = (c.req as unknown as { valid(t: 'json'): CrawlJobRequest }).valid('json')
    const { webhook_config, ...crawl } = input
    return accept(c, 'crawl', crawl.urls, webhook_config, () => inBackground(crawl, CRAWL_TIMEOUT_MS, (work) => crawlInOrder(crawl, work, deps.crawlWorkers())))
  })

  guard.post('/llm/job')
  app.openapi(jobPost('/llm/job', LlmJobRequest, 'Ask an LLM about a page in the background: 202 {task_id} now, the answer from GET /llm/job/{task_id}', ['LLM_NOT_CONFIGURED']), async (c: Context) => {
    const input = (c.req as unknown as { valid(t: 'json'): LlmJobRequest }).valid('json')
    const { webhook_config, ...ask } = input
    const client = deps.llm
    if (!client) throw new LlmNotConfiguredError()
    await deps.checkUrl(ask.url, 'url')
    return accept(c, 'llm', [ask.url], webhook_config, () => inBackground(ask, pageTimeoutMsOf(ask) + LLM_EXTRA_MS, (work) => askAboutPage(ask, work, client)))
  })

  for (const kind of ['crawl', 'llm'] as const) {
    guard.get(`/${kind}/job/*`)
    const status = createRoute({
      method: 'get',
      path: `/${kind}/job/{task_id}`,
      summary: `The status of ${kind === 'llm' ? 'an /llm' : 'a /crawl'} job: pending, processing, completed (with its result) or failed (with its error)`,
      security: [{ bearer: [] }],
      request: { params: z.object({ task_id: z.string().min(1).max(200) }) },
      responses: { 200: { description: 'the job', content: { 'application/json': { schema: JobStatus } } }, ...errorResponses(['JOB_NOT_FOUND', 'API_KEY_MISSING', 'API_KEY_WRONG', 'NO_RUNNER']) },
    })
    const answer = (c: Context): Response => new Response(deps.store.statusJson(c.req.param('task_id')!), { headers: { 'content-type': 'application/json' } })
    app.openapi(status, answer as never)
  }
}

function jobPost(path: string, body: z.ZodType, summary: string, extraErrors: readonly ErrorCode[] = []) {
  return createRoute({
    method: 'post',
    path,
    summary,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: body } }, required: true } },
    responses: { 202: { description: 'accepted', content: { 'application/json': { schema: JobAccepted } } }, ...errorResponses([...JOB_ERRORS, ...extraErrors]) },
  })
}
