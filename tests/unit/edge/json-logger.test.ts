import { describe, expect, it } from 'vitest'
import { jsonLineLogger } from '../../../edge/json-logger.ts'

describe('jsonLineLogger (the Lambda edge’s)', () => {
  it('writes one pino-shaped JSON line per entry at or above its level, errors as fields', () => {
    const lines: string[] = []
    const log = jsonLineLogger('warn', (l) => void lines.push(l), () => 1_700_000_000_000)
    log.info({ a: 1 }, 'not shown')
    log.warn({ runner: 'r1' }, 'runner unreachable')
    log.error({ err: new Error('boom', { cause: new Error('root') }) })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 40, time: 1_700_000_000_000, name: 'edge', runner: 'r1', msg: 'runner unreachable' },
      { level: 50, time: 1_700_000_000_000, name: 'edge', err: expect.objectContaining({ type: 'Error', message: 'boom', cause: expect.objectContaining({ message: 'root' }) }) },
    ])
  })

  it('is quiet at level silent', () => {
    const lines: string[] = []
    jsonLineLogger('silent', (l) => void lines.push(l)).error({}, 'x')
    expect(lines).toEqual([])
  })
})
