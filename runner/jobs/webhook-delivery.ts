import { UrlRefusedError } from '../contract/errors.ts'
import type { WebhookDelivery } from '../contract/job-schemas.ts'
import { signWebhook } from '../contract/webhook-signature.ts'
import type { SendWebhook } from './pinned-post.ts'

export interface WebhookSettings {
  /** the decoded signing key (CRAWLFLEET_WEBHOOK_SECRET) */
  readonly key: Buffer
  readonly attempts: number
  /** wait before the second attempt; doubles each time, up to MAX_RETRY_DELAY_MS */
  readonly retryMs: number
  readonly timeoutMs: number
}

export const MAX_RETRY_DELAY_MS = 60_000

/** 408, 429 and 5xx may well succeed later; any other answer will not. */
export const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500

/**
 * Delivers one job's webhook: signed afresh on each attempt (its timestamp is the attempt's), retried
 * with exponential backoff on a network error or a retryable status, never after a URL-policy refusal
 * or another answer. Every attempt and the outcome are written into `delivery`, which the job's
 * status shows.
 */
export async function deliverWebhook(o: {
  readonly delivery: WebhookDelivery
  /** webhook-id: the task id, the same on every attempt so a receiver can drop duplicates */
  readonly id: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly settings: WebhookSettings
  readonly send: SendWebhook
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
}): Promise<void> {
  const { delivery, settings } = o
  delivery.state = 'delivering'
  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    const startedMs = o.nowMs()
    const signed = signWebhook(settings.key, o.id, Math.floor(startedMs / 1000), o.body)
    let retry = true
    try {
      const status = await o.send(delivery.url, { ...o.headers, ...signed }, o.body, settings.timeoutMs)
      delivery.attempts.push({ at: new Date(startedMs).toISOString(), status, duration_ms: o.nowMs() - startedMs })
      if (status >= 200 && status < 300) {
        delivery.state = 'delivered'
        delete delivery.next_attempt_at
        return
      }
      retry = isRetryableStatus(status)
    } catch (err) {
      retry = !(err instanceof UrlRefusedError)
      delivery.attempts.push({ at: new Date(startedMs).toISOString(), error: errorText(err), duration_ms: o.nowMs() - startedMs })
    }
    if (!retry || attempt === settings.attempts) break
    const delayMs = Math.min(MAX_RETRY_DELAY_MS, settings.retryMs * 2 ** (attempt - 1))
    delivery.next_attempt_at = new Date(o.nowMs() + delayMs).toISOString()
    await o.sleep(delayMs)
  }
  delete delivery.next_attempt_at
  delivery.state = 'failed'
}

function errorText(err: unknown): string {
  if (err instanceof UrlRefusedError) return `URL_REFUSED (${err.rule}): ${err.message}`
  const e = err as { code?: string; message?: string }
  return e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err))
}
