import { pino } from 'pino'

/** The part of pino the edge uses, so tests can pass a recorder. */
export interface EdgeLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export function createEdgeLogger(level = 'info'): EdgeLogger {
  return pino({ name: 'edge', level, base: { pid: process.pid } })
}

export const silentLogger: EdgeLogger = { info() {}, warn() {}, error() {} }
