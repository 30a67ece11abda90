import { CrawlfleetError } from '../contract/errors.ts'
import type { WebhookConfig, WebhookPayload } from '../contract/job-schemas.ts'
import type { Job, JobStore } from './job-store.ts'
import type { SendWebhook } from './pinned-post.ts'
import { deliverWebhook, type WebhookSettings } from './webhook-delivery.ts'

export interface JobRunnerOptions {
  readonly store: JobStore
  /** jobs worked on at once; the others wait, `pending`, in the order they came */
  readonly running: number
  /** undefined: no secret is configured, and no job may ask for a webhook */
  readonly webhook: WebhookSettings | undefined
  readonly send: SendWebhook
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
  log(event: string, fields: object): void
}

interface Entry {
  readonly job: Job
  work(): Promise<unknown>
  readonly webhook?: WebhookConfig
}

/** Runs accepted jobs a few at a time, keeps their outcome in the store, then delivers their webhook. */
export class JobRunner {
  private readonly queue: Entry[] = []
  private running = 0
  private readonly inFlight = new Set<Promise<void>>()

  constructor(private readonly o: JobRunnerOptions) {}

  submit(job: Job, work: () => Promise<unknown>, webhook?: WebhookConfig): void {
    this.queue.push({ job, work, webhook })
    this.pump()
  }

  /** Resolves when every started job and webhook has settled (tests, and a clean stop). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  private pump(): void {
    while (this.running < this.o.running && this.queue.length > 0) {
      const entry = this.queue.shift()!
      if (entry.job.state !== 'pending') continue // failed while it waited (the runner is draining)
      this.running++
      const done = this.run(entry).finally(() => this.inFlight.delete(done))
      this.inFlight.add(done)
    }
  }

  private async run(entry: Entry): Promise<void> {
    const { job } = entry
    this.o.store.start(job)
    try {
      this.o.store.complete(job, JSON.stringify(await entry.work()))
    } catch (err) {
      this.o.store.fail(job, err instanceof CrawlfleetError ? `${err.code}: ${err.message}` : `INTERNAL: ${(err as Error)?.message ?? String(err)}`)
      if (!(err instanceof CrawlfleetError)) this.o.log('job.error', { taskId: job.taskId, err })
    } finally {
      this.running--
      this.pump()
    }
    this.o.log('job.finished', { taskId: job.taskId, state: job.state, bytes: job.bytes })
    if (entry.webhook && job.webhook && this.o.webhook) await this.notify(job, entry.webhook, this.o.webhook)
  }

  private async notify(job: Job, config: WebhookConfig, settings: WebhookSettings): Promise<void> {
    const payload: WebhookPayload = {
      task_id: job.taskId,
      task_type: job.kind === 'llm' ? 'llm_extraction' : 'crawl',
      status: job.state === 'completed' ? 'completed' : 'failed',
      timestamp: new Date(this.o.nowMs()).toISOString(),
      urls: [...job.urls],
      ...(job.error !== undefined ? { error: job.error } : {}),
    }
    const head = JSON.stringify(payload)
    const body = config.webhook_data_in_payload && job.resultJson !== undefined ? `${head.slice(0, -1)},"data":${job.resultJson}}` : head
    const bytes = Buffer.byteLength(body)
    this.o.store.hold(job, bytes) // the body is held until the last attempt
    try {
      await deliverWebhook({ delivery: job.webhook!, id: job.taskId, body, headers: config.webhook_headers ?? {}, settings, send: this.o.send, nowMs: this.o.nowMs, sleep: this.o.sleep })
    } finally {
      this.o.store.hold(job, -bytes)
    }
    this.o.log('job.webhook', { taskId: job.taskId, state: job.webhook!.state, attempts: job.webhook!.attempts.length })
  }
}
