import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createEdgeApp, type EdgeDeps } from './app.ts'
import type { EdgeConfig } from './config.ts'
import { localDeps } from './deps.ts'
import type { EdgeLogger } from './core/logger.ts'

export interface LocalEdge {
  readonly url: string
  readonly port: number
  readonly open: boolean
  close(): Promise<void>
}

/** Serves the edge app on Node. Without API keys it listens on loopback only: nobody else can reach an open edge. */
export async function startLocalEdge(config: EdgeConfig, logger: EdgeLogger, deps: EdgeDeps = localDeps(config, logger)): Promise<LocalEdge> {
  const open = deps.auth.open
  const host = open ? '127.0.0.1' : config.host
  if (open && config.host !== '127.0.0.1') {
    logger.warn({ asked: config.host }, 'no API keys (CRAWLFLEET_API_KEYS): the edge is open, so it listens on 127.0.0.1 only')
  }
  const app = createEdgeApp(deps)
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: host }, () => resolve(s as Server))
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  logger.info({ url, open, runners: config.runners.length }, open ? 'edge listening (open: no API keys)' : 'edge listening')
  return {
    url,
    port,
    open,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
