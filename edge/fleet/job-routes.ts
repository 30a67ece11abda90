import type { Context, Hono } from 'hono'
import { browserRequestOf } from '../../runner/contract/browser-request.ts'
import { InvalidFieldError, JobNotFoundError, NoRunnerError, PageTimeoutError } from '../../runner/contract/errors.ts'
import { parseTaskId, runnerKeyOf, type JobKind } from '../../runner/contract/job-id.ts'
import { CrawlJobRequest, LlmJobRequest, type JobStatus } from '../../runner/contract/job-schemas.ts'
import type { UrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import { parseOrThrow } from '../../runner/contract/validate.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { EdgeLogger } from '../core/logger.ts'
import type { Forward } from '../forward.ts'
import { clientHeadersToForward, runnerHeadersForClient } from '../forward-headers.ts'
import type { ApiKeyAuth } from '../middleware/api-key.ts'
import { requireApiKey } from '../middleware/api-key.ts'
import { readJsonBody } from '../middleware/json-body.ts'
import { checkUrls } from '../page-call.ts'
import { unreachableReason, type RunnerCaller } from './runner-call.ts'

// Jobs in the fleet. POST goes where the same page request would (rendezvous by signature, the next
// runner when one is full); the runner writes its own key and instance into the task id. GET finds
// that runner among those discovery lists now, by key, and asks it alone: no shared store, and any
// edge instance can answer. A runner that is gone makes the job `failed`, with the reason, never
// `processing` forever.

const STATUS_TIMEOUT_MS = 10_000
/** a runner younger than this may not be in every edge's discovery list yet (ECS discovery refreshes every 10 s) */
const DISCOVERY_GRACE_MS = 60_000

export interface JobRouteDeps {
  readonly auth: ApiKeyAuth
  readonly urlPolicy: UrlPolicy
  readonly forward: Forward
  readonly caller: RunnerCaller
  readonly logger: EdgeLogger
  readonly maxBodyBytes: number
  wallMs(): number
}

export function mountJobRoutes(app: Hono<EdgeEnv>, deps: JobRouteDeps): void {
  const apiKey = requireApiKey(deps.auth)
  const jsonBody = readJsonBody({ maxBodyBytes: deps.maxBodyBytes })
  for (const kind of ['crawl', 'llm'] as const) {
    app.post(`/${kind}/job`, apiKey, jsonBody, async (c) => {
      const signature = await admitJob(kind, c.get('body'), deps.urlPolicy)
      const url = new URL(c.req.url)
      return deps.forward({
        method: 'POST',
        pathWithQuery: url.pathname,
        body: c.get('body'),
        headers: clientHeadersToForward(c.req.raw),
        signature,
        requestId: c.get('requestId'),
        deadlineAtMs: c.get('deadlineAtMs'),
        clientSignal: c.req.raw.signal,
      })
    })
    app.get(`/${kind}/job/:task_id`, apiKey, (c) => jobStatus(c, kind, deps))
  }
}

/** The job body checked as the page request's would be, the webhook URL included; the signature that places it. */
async function admitJob(kind: JobKind, bytes: Uint8Array, policy: UrlPolicy): Promise<string> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new InvalidFieldError('body', 'is not valid JSON')
  }
  const input = kind === 'crawl' ? parseOrThrow(CrawlJobRequest, json) : parseOrThrow(LlmJobRequest, json)
  const urls = 'urls' in input ? input.urls.map((url, i) => ({ url, field: `urls.${i}` })) : [{ url: input.url, field: 'url' }]
  const webhook = input.webhook_config ? [{ url: input.webhook_config.webhook_url, field: 'webhook_config.webhook_url' }] : []
  await checkUrls(policy, [...urls, ...webhook])
  return browserRequestOf(input).signature
}

async function jobStatus(c: Context<EdgeEnv>, kind: JobKind, deps: JobRouteDeps): Promise<Response> {
  const taskId = c.req.param('task_id')!
  const id = parseTaskId(taskId)
  if (!id || id.kind !== kind) throw new JobNotFoundError(taskId)
  const failed = (error: string) => c.json({ task_id: taskId, status: 'failed', created_at: new Date(id.createdSec * 1000).toISOString(), error } satisfies JobStatus)
  const runner = (await deps.caller.runners()).find((r) => runnerKeyOf(r.id) === id.runnerKey)
  if (!runner) {
    deps.caller.invalidate()
    if (deps.wallMs() - id.createdSec * 1000 < DISCOVERY_GRACE_MS) throw new NoRunnerError('the runner holding this job is not in this edge’s runner list yet; try again shortly')
    return failed('the runner that held this job is gone (no longer among the runners); its jobs were lost with it')
  }
  let res: Response
  try {
    res = await deps.caller.call(runner, { method: 'GET', pathWithQuery: `/${kind}/job/${encodeURIComponent(taskId)}`, requestId: c.get('requestId'), timeoutMs: STATUS_TIMEOUT_MS })
  } catch (err) {
    const reason = unreachableReason(err)
    if (reason === 'no answer in time') throw new PageTimeoutError(`the runner holding this job did not answer within ${STATUS_TIMEOUT_MS} ms; ask again`)
    deps.caller.invalidate()
    deps.logger.warn({ runner: runner.id, taskId, err: reason }, 'the runner holding a job cannot be reached')
    return failed(`the runner that held this job cannot be reached (${reason}); its jobs were lost with it`)
  }
  return new Response(res.body, { status: res.status, headers: runnerHeadersForClient(res, runner.id) })
}
