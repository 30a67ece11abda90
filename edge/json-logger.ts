import type { EdgeLogger } from './core/logger.ts'

// The Lambda edge's logger: one JSON line per entry on stdout, which Lambda ships to CloudWatch
// Logs as it is. pino (the local edge's) adds ~55 KB and its worker-thread transport to a cold
// start for nothing Lambda needs; the lines keep pino's shape (level number, time, name, msg, err).

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity }

export function jsonLineLogger(level = 'info', write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`), now = Date.now): EdgeLogger {
  const threshold = LEVELS[level] ?? LEVELS.info
  const log = (n: number) => (obj: object, msg?: string) => {
    if (n < threshold) return
    const entry: Record<string, unknown> = { level: n, time: now(), name: 'edge' }
    for (const [k, v] of Object.entries(obj)) entry[k] = v instanceof Error ? errorFields(v) : v
    if (msg !== undefined) entry.msg = msg
    write(JSON.stringify(entry))
  }
  return { info: log(30), warn: log(40), error: log(50) }
}

function errorFields(err: Error): Record<string, unknown> {
  return { type: err.name, message: err.message, stack: err.stack, ...(err.cause instanceof Error ? { cause: errorFields(err.cause) } : {}) }
}
