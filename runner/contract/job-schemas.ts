import { z } from '@hono/zod-openapi'
import { crawlRequestWith, CrawlResponse, LlmRequest, LlmResponse, TargetUrl } from './request-schemas.ts'

// crawl4ai's job API: POST /crawl/job and /llm/job answer 202 {task_id}; GET …/job/{task_id} answers
// {status: pending | processing | completed | failed, result?, error?}. Field names are crawl4ai's.

const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/
/** headers a caller may not set on a webhook: hop-by-hop, framing, credentials, and ours */
const DENIED_WEBHOOK_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'proxy-authorization', 'authorization',
  'cookie', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive', 'webhook-id', 'webhook-timestamp', 'webhook-signature',
])

export const WebhookHeaders = z
  .record(z.string(), z.string().max(2048))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers)
    if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 headers' })
    for (const name of names) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name (letters, digits and -)' })
      else if (DENIED_WEBHOOK_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: 'may not be set on a webhook' })
      else if (/[\r\n\0]/.test(headers[name]!)) ctx.addIssue({ code: 'custom', path: [name], message: 'has a control character' })
    }
  })
  .openapi({ description: 'extra headers on the webhook request (at most 20; not Authorization, Cookie, Host, Content-Type or framing headers)' })

export const WebhookConfig = z
  .object({
    webhook_url: TargetUrl.openapi({ description: 'an http(s) URL that passes the URL policy; the runner POSTs the outcome there, signed' }),
    webhook_data_in_payload: z.boolean().default(false).openapi({ description: 'include the result in the webhook body' }),
    webhook_headers: WebhookHeaders.optional(),
  })
  .strict()
  .openapi('WebhookConfig')
export type WebhookConfig = z.infer<typeof WebhookConfig>

export const CrawlJobRequest = crawlRequestWith({ webhook_config: WebhookConfig.optional() }).openapi('CrawlJobRequest')
export type CrawlJobRequest = z.infer<typeof CrawlJobRequest>
export const LlmJobRequest = LlmRequest.extend({ webhook_config: WebhookConfig.optional() }).strict().openapi('LlmJobRequest')
export type LlmJobRequest = z.infer<typeof LlmJobRequest>

export const JobAccepted = z.object({ task_id: z.string() }).openapi('JobAccepted')

export const JOB_STATES = ['pending', 'processing', 'completed', 'failed'] as const
export type JobState = (typeof JOB_STATES)[number]

export const WebhookAttempt = z.object({
  at: z.string().openapi({ description: 'ISO time the attempt started' }),
  status: z.number().int().optional().openapi({ description: "the receiver's HTTP status" }),
  error: z.string().optional().openapi({ description: 'why no status came back (refused by the URL policy, connection, timeout)' }),
  duration_ms: z.number(),
})
export type WebhookAttempt = z.infer<typeof WebhookAttempt>

export const WebhookDelivery = z
  .object({
    url: z.string(),
    state: z.enum(['waiting', 'delivering', 'delivered', 'failed']).openapi({ description: 'waiting: the job has not finished' }),
    attempts: z.array(WebhookAttempt),
    next_attempt_at: z.string().optional(),
  })
  .openapi('WebhookDelivery')
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

export const JobStatus = z
  .object({
    task_id: z.string(),
    status: z.enum(JOB_STATES),
    created_at: z.string(),
    updated_at: z.string().optional(),
    url: z.union([z.string(), z.array(z.string())]).optional().openapi({ description: 'the URL (/llm/job) or URLs (/crawl/job) of the job' }),
    result: z.union([CrawlResponse, LlmResponse]).optional().openapi({ description: 'when completed: what /crawl or /llm would have answered' }),
    error: z.string().optional().openapi({ description: 'when failed: why' }),
    expires_at: z.string().optional().openapi({ description: 'when finished: the status and result are kept until then' }),
    webhook: WebhookDelivery.optional(),
  })
  .openapi('JobStatus')
export type JobStatus = z.infer<typeof JobStatus>

/** The body POSTed to a job's webhook (crawl4ai's WebhookPayload). */
export interface WebhookPayload {
  task_id: string
  task_type: 'crawl' | 'llm_extraction'
  status: 'completed' | 'failed'
  timestamp: string
  urls: string[]
  error?: string
  data?: unknown
}
