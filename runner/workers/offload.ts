import { availableParallelism } from 'node:os'
import { InvalidFieldError } from '../contract/errors.ts'
import type { SchemaTasks } from './schema-tasks.ts'
import type { Tasks } from './tasks.ts'
import { WorkerPool, type WorkerError } from './worker-pool.ts'

// CPU-heavy content work (Markdown, main-content extraction, BM25, crawl4ai scraping) and schema
// checks of LLM answers run here, in worker threads, never on the event loop that serves every
// caller: a 2 MB page's Markdown takes seconds of CPU. Content work goes to one of two pools by the
// size of its input: a typical page (LIGHT_TASK_MAX_CHARS or less: tens of milliseconds) to threads
// at the loop's priority, a large one to threads lowered to nice 10, so seconds of conversion never
// win the cores from the loop thread. A schema thread of its own checks LLM answers (a runaway
// pattern gets it terminated and replaced, and its replacement loads only ajv). Threads start on
// first use; the runner sizes the pools at start and closes them when it stops.

/**
 * Set (to true) by scripts/build.ts: the bundle keeps the worker entry and the task tables as files of
 * their own beside this code in dist/ (worker-entry.mjs, worker-tasks.mjs, worker-schema-tasks.mjs).
 */
declare const CRAWLFLEET_BUNDLED: boolean | undefined
const BUNDLED = typeof CRAWLFLEET_BUNDLED !== 'undefined' && CRAWLFLEET_BUNDLED

/** the worker file: plain .mjs, the one file a bundler must keep as its own entry */
export const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url)
/** the task tables, relative to the worker entry: TypeScript (loaded through tsx) or the bundle's */
const CONTENT_TASKS = BUNDLED ? './worker-tasks.mjs' : './tasks.ts'
const SCHEMA_TASKS = BUNDLED ? './worker-schema-tasks.mjs' : './schema-tasks.ts'

/** how long a schema check of an LLM answer may take: a caller's `pattern` can backtrack for ever */
export const SCHEMA_CHECK_TIMEOUT_MS = 500

/**
 * Content tasks whose string arguments hold at most this many characters run at the loop's priority.
 * Measured on 2 cores: a 60 KB article's extraction took 12.0 ms on a thread at nice 10 beside the
 * page's Chromium, 10.1 ms at nice 0, and its dispatch half as long; a 2 MB page's conversion at
 * equal priority delayed the loop by 170–350 ms, at nice 10 by < 50 ms.
 */
export const LIGHT_TASK_MAX_CHARS = 256 * 1024
/** a lowered thread cannot raise itself back without CAP_SYS_NICE: the two kinds of work keep threads of their own */
const LOWERED_NICE = 10

let light: WorkerPool | undefined
let heavy: WorkerPool | undefined
let schema: WorkerPool | undefined

function revive(e: WorkerError): Error {
  if (e.code === 'INVALID_FIELD' && e.field) return new InvalidFieldError(e.field, e.message.replace(`${e.field}: `, ''))
  return Object.assign(new Error(e.message), { name: e.name ?? 'Error' })
}

/** how workers are kept: set by the runner at start (idle workers end after the spares' idle time) */
let keep: { idleMs?: number } = {}
/** the runner's own thread runs with --max-semi-space-size=2; a worker's young generation is as small */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 }
const contentPool = (size: number, nice = 0) =>
  new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: CONTENT_TASKS, nice }, size, reviveError: revive, idleMs: keep.idleMs, resourceLimits: WORKER_LIMITS })
/** large pages' conversions are seconds of CPU each: half the cores for them at most, so they never hold every core */
const heavySize = (cores: number) => Math.max(1, Math.floor(cores / 2))
const schemaPool = () =>
  new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: SCHEMA_TASKS }, size: 1, reviveError: revive, idleMs: keep.idleMs, resourceLimits: WORKER_LIMITS })
/** `pool` if it is already of `size`, else a new content pool of that size (the old one closed) */
function resized(pool: WorkerPool | undefined, size: number, nice: number): WorkerPool {
  if (pool?.size === size) return pool
  void pool?.close()
  return contentPool(size, nice)
}

/**
 * Sizes the content pools (the runner: its CPU quota): one light thread per core, one heavy thread per
 * two. Threads start on first use, one more only while every one is busy, and with `idleMs`, a worker
 * idle that long ends: each holds an isolate with the content libraries (~34 MB of PSS measured),
 * which a runner serving only /html, /screenshot or /pdf never needs. The first content task after
 * start or idle pays for one thread's start (see the README's Memory section).
 */
export function configureContentWorkers(cores: number, o: { idleMs?: number } = {}): void {
  keep = o
  const n = Math.max(1, Math.round(cores))
  light = resized(light, n, 0)
  heavy = resized(heavy, heavySize(n), LOWERED_NICE)
}

export async function stopContentWorkers(): Promise<void> {
  const pools = [light, heavy, schema]
  light = heavy = schema = undefined
  await Promise.all(pools.map((p) => p?.close()))
}

type Args<T, K extends keyof T> = T[K] extends (...a: infer A) => unknown ? A : never
type Result<T, K extends keyof T> = T[K] extends (...a: never[]) => infer R ? R : never
interface RunOptions {
  /** the request's deadline or client: stops the task (its thread is terminated) */
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
}

/**
 * A request that will need a content worker calls this as it starts: a thread's start (~0.4 s on
 * 2 cores: linkedom alone is ~0.2 s) then overlaps the page's rendering instead of following it.
 */
export function prestartContentWorker(): void {
  lightWorkers().prestart()
}

/** Runs a task of runner/workers/tasks.ts on a content worker: a light one or a lowered one, by the size of its input. */
export function offload<K extends keyof Tasks>(task: K, args: Args<Tasks, K>, o: RunOptions = {}): Promise<Result<Tasks, K>> {
  return (inputChars(args) <= LIGHT_TASK_MAX_CHARS ? lightWorkers() : heavyWorkers()).run(task, args, o)
}

/**
 * The characters of a task's strings (the page's HTML, its marked copy, a query), in its arguments and
 * one level into an argument object: what the task's CPU time grows with.
 */
export function inputChars(args: readonly unknown[]): number {
  let n = 0
  for (const a of args) {
    if (typeof a === 'string') n += a.length
    else if (a && typeof a === 'object') for (const v of Object.values(a)) if (typeof v === 'string') n += v.length
  }
  return n
}

/** the pools configureContentWorkers sized, or by this machine's cores when nobody did (tests) */
const lightWorkers = () => (light ??= contentPool(availableParallelism()))
const heavyWorkers = () => (heavy ??= contentPool(heavySize(availableParallelism()), LOWERED_NICE))

/** Checks `data` against a caller's JSON schema on the schema worker, SCHEMA_CHECK_TIMEOUT_MS at most by default. */
export function checkSchemaOffThread(schemaJson: Record<string, unknown>, data: unknown, o: RunOptions = {}): ReturnType<SchemaTasks['checkSchema']> extends infer R ? Promise<R> : never {
  return (schema ??= schemaPool()).run('checkSchema', [schemaJson, data], { timeoutMs: SCHEMA_CHECK_TIMEOUT_MS, ...o })
}
