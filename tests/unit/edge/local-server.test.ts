import { afterEach, describe, expect, it } from 'vitest'
import { readEdgeConfig } from '../../../edge/config.ts'
import { startLocalEdge, type LocalEdge } from '../../../edge/local-server.ts'
import { silentLogger, type EdgeLogger } from '../../../edge/core/logger.ts'

const edges: LocalEdge[] = []
afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.close()))
})

function recorder() {
  const lines: string[] = []
  const logger: EdgeLogger = { info: (_o, m) => void lines.push(`info ${m}`), warn: (_o, m) => void lines.push(`warn ${m}`), error: (_o, m) => void lines.push(`error ${m}`) }
  return { logger, lines }
}

describe('startLocalEdge', () => {
  it('listens on 127.0.0.1 only and says it is open when no API key is configured', async () => {
    const { logger, lines } = recorder()
    const edge = await startLocalEdge(readEdgeConfig({ PORT: '0', CRAWLFLEET_HOST: '0.0.0.0', CRAWLFLEET_RUNNERS: 'http://127.0.0.1:1' }), logger)
    edges.push(edge)
    expect(edge.open).toBe(true)
    expect(edge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(lines.some((l) => l.startsWith('warn') && /open/.test(l))).toBe(true)
    expect(lines.some((l) => /edge listening \(open/.test(l))).toBe(true)
    expect((await fetch(`${edge.url}/health`)).status).toBe(200)
  })

  it('requires a key when keys are configured', async () => {
    const edge = await startLocalEdge(readEdgeConfig({ PORT: '0', CRAWLFLEET_HOST: '127.0.0.1', CRAWLFLEET_API_KEYS: 'k', CRAWLFLEET_RUNNERS: 'http://127.0.0.1:1' }), silentLogger)
    edges.push(edge)
    expect(edge.open).toBe(false)
    const res = await fetch(`${edge.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(401)
  })
})
