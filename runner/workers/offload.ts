import { availableParallelism } from 'node:os'
import { InvalidFieldError } from '../contract/errors.ts'
import type { SchemaTasks } from './schema-tasks.ts'
import type { Tasks } from './tasks.ts'
import { WorkerPool, type WorkerError } from './worker-pool.ts'

// CPU-heavy content work (Markdown, main-content extraction, BM25, crawl4ai scraping) and schema
// checks of LLM answers run here, in worker threads, never on the event loop that serves every
// caller: a 2 MB page's Markdown takes seconds of CPU. One content pool per process sized to the
// cores, and one schema thread of its own (a runaway pattern gets it terminated and replaced, and
// its replacement loads only ajv). Made on first use; the runner sizes the pool at start and closes both when it stops.

/** the worker file: plain .mjs, the one file a bundler must keep as its own entry */
export const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url)

/** how long a schema check of an LLM answer may take: a caller's `pattern` can backtrack for ever */
export const SCHEMA_CHECK_TIMEOUT_MS = 500

let content: WorkerPool | undefined
let schema: WorkerPool | undefined

function revive(e: WorkerError): Error {
  if (e.code === 'INVALID_FIELD' && e.field) return new InvalidFieldError(e.field, e.message.replace(`${e.field}: `, ''))
  return Object.assign(new Error(e.message), { name: e.name ?? 'Error' })
}

const contentPool = (size: number) => new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: './tasks.ts' }, size, reviveError: revive })
const schemaPool = () => new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: './schema-tasks.ts', nice: 0 }, size: 1, reviveError: revive })

/** Sizes the content pool (the runner: its CPU quota) and starts its threads now, so no request pays for their start */
export function startContentWorkers(size: number): void {
  const n = Math.max(1, Math.round(size))
  if (content?.size !== n) {
    void content?.close()
    content = contentPool(n)
  }
  content.warm()
  ;(schema ??= schemaPool()).warm()
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

/** Runs a task of runner/workers/tasks.ts on a content worker. */
export function offload<K extends keyof Tasks>(task: K, args: Args<Tasks, K>, o: RunOptions = {}): Promise<Result<Tasks, K>> {
  return (content ??= contentPool(availableParallelism())).run(task, args, o)
}

/** Checks `data` against a caller's JSON schema on the schema worker, SCHEMA_CHECK_TIMEOUT_MS at most by default. */
export function checkSchemaOffThread(schemaJson: Record<string, unknown>, data: unknown, o: RunOptions = {}): ReturnType<SchemaTasks['checkSchema']> extends infer R ? Promise<R> : never {
  return (schema ??= schemaPool()).run('checkSchema', [schemaJson, data], { timeoutMs: SCHEMA_CHECK_TIMEOUT_MS, ...o })
}
