import { pino, type Logger } from 'pino'

export type { Logger }

/** JSON lines on stdout; one logger per process, children carry the component name. */
export function createLogger(o: { level?: string; name: string }): Logger {
  return pino({ name: o.name, level: o.level ?? 'info', base: { pid: process.pid } })
}
