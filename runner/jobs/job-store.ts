import { DrainingError, JobNotFoundError, JobsFullError } from '../contract/errors.ts'
import { formatTaskId, parseTaskId, type JobKind } from '../contract/job-id.ts'
import type { JobState, JobStatus, WebhookDelivery } from '../contract/job-schemas.ts'

// The jobs one runner holds, in its own memory: bounded in count (unfinished jobs), in bytes (results
// and webhook bodies, as JSON), and in time (a finished job is forgotten `ttlMs` after it finished).
// No I/O and no timers here: the clock is a parameter and expiry happens on each access (sweep).

export interface JobSettings {
  readonly ttlMs: number
  readonly maxBytes: number
  /** unfinished jobs (pending + processing) */
  readonly maxUnfinished: number
  /** jobs worked on at once */
  readonly running: number
}

export interface Job {
  readonly taskId: string
  readonly kind: JobKind
  readonly urls: readonly string[]
  readonly createdMs: number
  state: JobState
  updatedMs: number
  finishedMs?: number
  /** the answer /crawl or /llm would have given, as JSON text */
  resultJson?: string
  error?: string
  webhook?: WebhookDelivery
  /** bytes this job holds in the store: its result and a webhook body still to deliver */
  bytes: number
}

export interface JobStoreStats {
  readonly pending: number
  readonly processing: number
  readonly finished: number
  readonly bytes: number
  readonly maxBytes: number
}

export class JobStore {
  private readonly jobs = new Map<string, Job>()
  private heldBytes = 0
  private draining = false

  constructor(
    private readonly o: {
      readonly settings: JobSettings
      /** wall-clock ms: ids and answers carry dates */
      readonly nowMs: () => number
      /** this process's nonce (contract/job-id.ts) */
      readonly instance: string
    },
  ) {}

  /** Takes a new job, or refuses it (JobsFullError: another runner may take it; DrainingError). */
  accept(kind: JobKind, urls: readonly string[], runnerKey: string, webhookUrl?: string): Job {
    if (this.draining) throw new DrainingError()
    this.sweep()
    const s = this.o.settings
    if (this.unfinished() >= s.maxUnfinished) throw new JobsFullError(`this runner holds ${s.maxUnfinished} unfinished jobs (CRAWLFLEET_JOBS_MAX)`)
    if (this.heldBytes >= s.maxBytes) throw new JobsFullError(`this runner's job store is full (${this.heldBytes} of ${s.maxBytes} bytes, CRAWLFLEET_JOB_STORE_BYTES)`, 30)
    const now = this.o.nowMs()
    const job: Job = {
      taskId: formatTaskId({ kind, runnerKey, instance: this.o.instance, createdSec: now / 1000 }),
      kind,
      urls,
      createdMs: now,
      updatedMs: now,
      state: 'pending',
      bytes: 0,
      ...(webhookUrl ? { webhook: { url: webhookUrl, state: 'waiting', attempts: [] } } : {}),
    }
    this.jobs.set(job.taskId, job)
    return job
  }

  start(job: Job): void {
    job.state = 'processing'
    job.updatedMs = this.o.nowMs()
  }

  /** Keeps the result when it fits in the store; otherwise the job fails, saying so. */
  complete(job: Job, resultJson: string): void {
    const bytes = Buffer.byteLength(resultJson)
    this.sweep()
    const free = this.o.settings.maxBytes - this.heldBytes
    if (bytes > free) {
      this.fail(job, `the result (${bytes} bytes) does not fit in this runner's job store (${Math.max(0, free)} of ${this.o.settings.maxBytes} bytes free, CRAWLFLEET_JOB_STORE_BYTES); use /crawl/stream for large crawls`)
      return
    }
    job.resultJson = resultJson
    this.hold(job, bytes)
    this.finish(job, 'completed')
  }

  fail(job: Job, error: string): void {
    job.error = error
    this.finish(job, 'failed')
  }

  /** Bytes a job holds beyond its result (a webhook body while it is delivered); negative to give them back. */
  hold(job: Job, bytes: number): void {
    job.bytes += bytes
    this.heldBytes += bytes
  }

  /** The job's status as GET …/job/{task_id} answers it, as JSON text (the result is spliced in, not re-encoded). */
  statusJson(taskId: string): string {
    this.sweep()
    const parsed = parseTaskId(taskId)
    if (parsed && parsed.instance !== this.o.instance) {
      // another process at this address: the runner that held the job is gone, and its jobs with it
      const status: JobStatus = {
        task_id: taskId,
        status: 'failed',
        created_at: new Date(parsed.createdSec * 1000).toISOString(),
        error: `the runner that held this job restarted (instance ${parsed.instance}, now ${this.o.instance}); its jobs were lost with it`,
      }
      return JSON.stringify(status)
    }
    const job = this.jobs.get(taskId)
    if (!job) throw new JobNotFoundError(taskId)
    const { resultJson, ...rest } = this.statusOf(job)
    const head = JSON.stringify(rest)
    return resultJson === undefined ? head : `${head.slice(0, -1)},"result":${resultJson}}`
  }

  /** The unfinished jobs fail now (the runner is stopping); no new job is taken. */
  drain(reason: string): void {
    this.draining = true
    for (const job of this.jobs.values()) if (job.state === 'pending') this.fail(job, reason)
  }

  stats(): JobStoreStats {
    this.sweep()
    let pending = 0
    let processing = 0
    for (const j of this.jobs.values()) {
      if (j.state === 'pending') pending++
      else if (j.state === 'processing') processing++
    }
    return { pending, processing, finished: this.jobs.size - pending - processing, bytes: this.heldBytes, maxBytes: this.o.settings.maxBytes }
  }

  /** Forgets finished jobs past their time. */
  sweep(): void {
    const now = this.o.nowMs()
    for (const [id, job] of this.jobs) {
      if (job.finishedMs !== undefined && now - job.finishedMs >= this.o.settings.ttlMs && job.webhook?.state !== 'delivering') {
        this.heldBytes -= job.bytes
        this.jobs.delete(id)
      }
    }
  }

  private unfinished(): number {
    let n = 0
    for (const j of this.jobs.values()) if (j.state === 'pending' || j.state === 'processing') n++
    return n
  }

  private finish(job: Job, state: 'completed' | 'failed'): void {
    job.state = state
    job.finishedMs = job.updatedMs = this.o.nowMs()
  }

  private statusOf(job: Job): JobStatus & { resultJson?: string } {
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      task_id: job.taskId,
      status: job.state,
      created_at: iso(job.createdMs),
      updated_at: iso(job.updatedMs),
      url: job.kind === 'llm' ? job.urls[0] : [...job.urls],
      ...(job.error !== undefined ? { error: job.error } : {}),
      ...(job.finishedMs !== undefined ? { expires_at: iso(job.finishedMs + this.o.settings.ttlMs) } : {}),
      ...(job.webhook ? { webhook: { ...job.webhook, attempts: [...job.webhook.attempts] } } : {}),
      ...(job.resultJson !== undefined ? { resultJson: job.resultJson } : {}),
    }
  }
}
