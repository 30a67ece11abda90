import { Worker } from 'node:worker_threads'

// A fixed number of worker threads running tasks by name, one at a time each, the rest queued.
// A task that runs past its timeout, or whose caller's signal aborts, has its worker terminated
// (that stops even a regular expression stuck backtracking) and replaced on demand.

export interface WorkerError {
  readonly name?: string
  readonly message: string
  readonly code?: string
  readonly field?: string
}

export class WorkerTaskTimeoutError extends Error {
  constructor(
    readonly task: string,
    readonly timeoutMs: number,
  ) {
    super(`worker task ${task} ran past ${timeoutMs} ms and was stopped`)
  }
}

interface Job {
  readonly id: number
  readonly task: string
  readonly args: readonly unknown[]
  readonly timeoutMs: number | undefined
  readonly signal: AbortSignal | undefined
  resolve(value: unknown): void
  reject(err: unknown): void
}

interface Slot {
  readonly worker: Worker
  /** its task table is loaded: work is sent only then */
  ready: boolean
  job: Job | undefined
  timer: NodeJS.Timeout | undefined
  /** set while the worker waits for work: it ends the worker after idleMs */
  idleTimer: NodeJS.Timeout | undefined
}

export interface WorkerPoolOptions {
  readonly entry: URL
  /** handed to each worker (the entry reads which task table to load from it) */
  readonly workerData?: unknown
  readonly size: number
  /** turns a worker's serialized error back into the error the caller expects */
  readonly reviveError?: (e: WorkerError) => Error
  /** a worker idle this long ends (its isolate and modules are tens of MB); the next task starts one again */
  readonly idleMs?: number
  /** V8 limits of each worker (a small young generation, as the runner's own thread has) */
  readonly resourceLimits?: { readonly maxYoungGenerationSizeMb?: number; readonly maxOldGenerationSizeMb?: number }
}

export class WorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 0
  private closed = false

  constructor(private readonly o: WorkerPoolOptions) {
    if (!(o.size >= 1)) throw new RangeError(`worker pool size must be ≥ 1, got ${o.size}`)
  }

  get size(): number {
    return this.o.size
  }

  /** worker threads alive now (loading, working or waiting for work) */
  get threads(): number {
    return this.slots.length
  }

  /** starts a worker if none is alive, so a task about to come finds one loaded (it ends after idleMs like any other) */
  prestart(): void {
    if (!this.closed && this.slots.length === 0) this.spawn()
  }

  run<T>(task: string, args: readonly unknown[], o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'))
    o.signal?.throwIfAborted()
    return new Promise<T>((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, args, timeoutMs: o.timeoutMs, signal: o.signal, resolve: resolve as (v: unknown) => void, reject }
      o.signal?.addEventListener('abort', () => this.cancel(job, o.signal!.reason), { once: true })
      this.queue.push(job)
      this.dispatch()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new Error('worker pool is closed'))
    await Promise.all(this.slots.splice(0).map((s) => (clearTimeout(s.idleTimer), s.worker.terminate())))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      if (this.slots.length < this.o.size && !this.slots.some((s) => !s.ready || s.job === undefined)) this.spawn()
      const slot = this.slots.find((s) => s.ready && s.job === undefined)
      if (!slot) return // a worker still loading calls dispatch when it is ready
      const job = this.queue.shift()!
      clearTimeout(slot.idleTimer)
      slot.idleTimer = undefined
      slot.job = job
      if (job.timeoutMs !== undefined) slot.timer = setTimeout(() => this.stopSlot(slot, new WorkerTaskTimeoutError(job.task, job.timeoutMs!)), job.timeoutMs)
      slot.worker.postMessage({ id: job.id, task: job.task, args: job.args })
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.o.entry, { workerData: this.o.workerData, resourceLimits: this.o.resourceLimits })
    worker.unref() // a worker never keeps the process alive; the server does
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined, idleTimer: undefined }
    worker.on('message', (m: { ready?: true; id: number; ok: boolean; value?: unknown; error?: WorkerError }) => {
      if (m.ready) {
        slot.ready = true
        this.dispatch()
        this.idleFrom(slot)
        return
      }
      if (slot.job?.id !== m.id) return
      const job = this.finish(slot)
      if (m.ok) job.resolve(m.value)
      else job.reject(this.o.reviveError ? this.o.reviveError(m.error!) : Object.assign(new Error(m.error!.message), m.error))
      this.dispatch()
      this.idleFrom(slot)
    })
    worker.on('error', (err) => this.stopSlot(slot, err))
    worker.on('exit', () => this.stopSlot(slot, new Error('worker exited')))
    this.slots.push(slot)
    return slot
  }

  /** a worker left without work ends after idleMs, unless work comes first */
  private idleFrom(slot: Slot): void {
    if (this.o.idleMs === undefined || slot.job !== undefined || slot.idleTimer !== undefined) return
    slot.idleTimer = setTimeout(() => {
      const i = this.slots.indexOf(slot)
      if (i === -1 || slot.job !== undefined) return
      this.slots.splice(i, 1)
      void slot.worker.terminate()
    }, this.o.idleMs)
    slot.idleTimer.unref()
  }

  private finish(slot: Slot): Job {
    const job = slot.job!
    clearTimeout(slot.timer)
    slot.job = undefined
    slot.timer = undefined
    return job
  }

  /** the worker goes (terminated if still running), its job fails with `err`, queued work gets a fresh worker */
  private stopSlot(slot: Slot, err: unknown): void {
    const i = this.slots.indexOf(slot)
    if (i === -1) return
    this.slots.splice(i, 1)
    clearTimeout(slot.idleTimer)
    const job = slot.job ? this.finish(slot) : undefined
    void slot.worker.terminate()
    job?.reject(err)
    if (!this.closed) this.dispatch()
  }

  private cancel(job: Job, reason: unknown): void {
    const queued = this.queue.indexOf(job)
    if (queued !== -1) {
      this.queue.splice(queued, 1)
      job.reject(reason)
      return
    }
    const slot = this.slots.find((s) => s.job === job)
    if (slot) this.stopSlot(slot, reason)
  }
}
