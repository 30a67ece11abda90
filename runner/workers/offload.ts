import { availableParallelism } from 'node:os'
import { InvalidFieldError } from '../contract/errors.ts'
import type { SchemaTasks } from './schema-tasks.ts'
import type { Tasks } from './tasks.ts'
import { WorkerPool, type WorkerError } from './worker-pool.ts'

// CPU-heavy content work (Markdown, main-content extraction, BM25, crawl4ai scraping) and schema
// checks of LLM answers run here, in worker threads, never on the event loop that serves every
// caller: a 2 MB page's Markdown takes seconds of CPU. One content pool per process sized to the
// cores, and one schema thread of its own (a runaway pattern gets it terminated and replaced, and
// its replacement loads only ajv). Threads start on first use; the runner sizes the pool at start and closes both when it stops.

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

let content: WorkerPool | undefined
let schema: WorkerPool | undefined

function revive(e: WorkerError): Error {
  if (e.code === 'INVALID_FIELD' && e.field) return new InvalidFieldError(e.field, e.message.replace(`${e.field}: `, ''))
  return Object.assign(new Error(e.message), { name: e.name ?? 'Error' })
}

/** how workers are kept: set by the runner at start (idle workers end after the spares' idle time) */
let keep: { idleMs?: number } = {}
/** the runner's own thread runs with --max-semi-space-size=2; a worker's young generation is as small */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 }
const contentPool = (size: number) =>
  new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: CONTENT_TASKS }, size, reviveError: revive, idleMs: keep.idleMs, resourceLimits: WORKER_LIMITS })
const schemaPool = () =>
  new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: SCHEMA_TASKS, nice: 0 }, size: 1, reviveError: revive, idleMs: keep.idleMs, resourceLimits: WORKER_LIMITS })

/**
 * Sizes the content pool (the runner: its CPU quota). Threads start on first use, one more only while
 * every one is busy, and with `idleMs`, a worker idle that long ends: each holds an isolate with the
 * content libraries (~34 MB of PSS measured), which a runner serving only /html, /screenshot or /pdf never needs.
 * The first content task after start or idle pays for one thread's start (see the README's Memory section).
 */
export function configureContentWorkers(size: number, o: { idleMs?: number } = {}): void {
  keep = o
  const n = Math.max(1, Math.round(size))
  if (content?.size !== n) {
    void content?.close()
    content = contentPool(n)
  }
}

export async function stopContentWorkers(): Promise<void> {
  const pools = [content, schema]
  content = schema = undefined
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
  contentWorkers().prestart()
}

/** Runs a task of runner/workers/tasks.ts on a content worker. */
export function offload<K extends keyof Tasks>(task: K, args: Args<Tasks, K>, o: RunOptions = {}): Promise<Result<Tasks, K>> {
  return contentWorkers().run(task, args, o)
}

/** the pool configureContentWorkers sized, or one per core when nobody did (tests) */
const contentWorkers = () => (content ??= contentPool(availableParallelism()))

/** Checks `data` against a caller's JSON schema on the schema worker, SCHEMA_CHECK_TIMEOUT_MS at most by default. */
export function checkSchemaOffThread(schemaJson: Record<string, unknown>, data: unknown, o: RunOptions = {}): ReturnType<SchemaTasks['checkSchema']> extends infer R ? Promise<R> : never {
  return (schema ??= schemaPool()).run('checkSchema', [schemaJson, data], { timeoutMs: SCHEMA_CHECK_TIMEOUT_MS, ...o })
}
