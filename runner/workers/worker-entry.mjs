// The one entry of every worker thread (runner/workers/worker-pool.ts starts it). Plain JavaScript
// so a worker starts without a loader; it loads its task table (workerData.tasks: './tasks.ts' or
// './schema-tasks.ts', resolved relative to this file) through tsx when it is TypeScript. A bundled
// build passes its own output's name instead.
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'

const TASKS_MODULE = workerData?.tasks ?? './tasks.ts'

const tasksUrl = new URL(TASKS_MODULE, import.meta.url)
const loaded = TASKS_MODULE.endsWith('.ts')
  ? import('tsx/esm/api').then(({ tsImport }) => tsImport(tasksUrl.href, import.meta.url))
  : import(tasksUrl.href)

// the pool sends work only once the tasks are loaded, so a task's time limit never counts the load
loaded.then(
  () => {
    lowerThisThread()
    parentPort.postMessage({ ready: true })
  },
  (err) => {
    throw err
  },
)

parentPort.on('message', async ({ id, task, args }) => {
  try {
    const { TASKS } = await loaded
    const fn = TASKS[task]
    if (typeof fn !== 'function') throw new Error(`no worker task named ${task}`)
    const value = await fn(...args)
    // bytes (an answer serialized here) move to the loop thread without a copy
    parentPort.postMessage({ id, ok: true, value }, value instanceof Uint8Array ? [value.buffer] : [])
  } catch (err) {
    const e = err ?? {}
    parentPort.postMessage({ id, ok: false, error: { name: e.name, message: String(e.message ?? e), code: e.code, field: e.field } })
  }
})

// On a small machine a busy worker competes with the event-loop thread for the same cores: measured
// on 2 cores, /md of a 2 MB page delayed the loop by 170–350 ms at equal priority. Linux keeps a
// nice value per thread, and /proc/thread-self names this thread's id, so this thread (only) yields.
// Best effort: elsewhere, or without the permission, the worker runs at the process's priority.
// Only the pool for large pages asks for it (workerData.nice, see runner/workers/offload.ts): a typical
// page's conversion and the schema checks are short, and a niced thread beside a busy Chromium takes
// longer to wake and to finish (a schema check must not be pushed past its time limit).
// Lowered only once the tasks are loaded: a niced thread loading its modules on a busy machine starves.
const WORKER_NICE = workerData?.nice ?? 0
function lowerThisThread() {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (WORKER_NICE !== 0 && Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE)
  } catch {
    // not Linux: no per-thread priority
  }
}

