import { createHash, randomBytes } from 'node:crypto'

// A job's task id says where the job lives, so any edge (any Lambda instance) can route a status
// request to the one runner that holds it, with no shared store:
//
//   crawl_<runner key: 12 hex>_<runner instance: 8 hex>_<created: unix s, hex>_<random: 24 hex>
//
// The runner key is a hash of the runner's discovery id (host:port), never the address itself; the
// edge looks it up among the runners discovery lists now and never connects to anything the id
// names. The instance is a nonce drawn at each runner start: another process at the same address
// (a restart, a new task on a reused IP) knows at once that the job was not its own. The random
// part (96 bits) makes ids unguessable: a task id is a capability, as a presigned URL is.

export const JOB_KINDS = ['crawl', 'llm'] as const
export type JobKind = (typeof JOB_KINDS)[number]

/** The runner key a standalone runner (no edge in front) writes into its ids. */
export const NO_RUNNER_KEY = '000000000000'

export interface TaskId {
  readonly kind: JobKind
  readonly runnerKey: string
  readonly instance: string
  readonly createdSec: number
  readonly random: string
}

const TASK_ID = /^(crawl|llm)_([0-9a-f]{12})_([0-9a-f]{8})_([0-9a-f]{1,12})_([0-9a-f]{24})$/

/** The key the edge knows a runner by: a hash of its discovery id (host:port). */
export function runnerKeyOf(runnerId: string): string {
  return createHash('sha256').update(runnerId).digest('hex').slice(0, 12)
}

export function newInstanceNonce(): string {
  return randomBytes(4).toString('hex')
}

export function isRunnerKey(text: string | undefined): text is string {
  return text !== undefined && /^[0-9a-f]{12}$/.test(text)
}

export function formatTaskId(o: Omit<TaskId, 'random'> & { random?: string }): string {
  return `${o.kind}_${o.runnerKey}_${o.instance}_${Math.floor(o.createdSec).toString(16)}_${o.random ?? randomBytes(12).toString('hex')}`
}

/** The parts of a task id, or undefined when it is not one of ours. */
export function parseTaskId(text: string): TaskId | undefined {
  const m = TASK_ID.exec(text)
  if (!m) return undefined
  return { kind: m[1] as JobKind, runnerKey: m[2]!, instance: m[3]!, createdSec: Number.parseInt(m[4]!, 16), random: m[5]! }
}
