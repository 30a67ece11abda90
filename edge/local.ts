import { readEdgeConfig } from './config.ts'
import { startLocalEdge } from './local-server.ts'
import { createEdgeLogger } from './core/logger.ts'

// `npm run edge`: the edge alone, in front of the runners in CRAWLFLEET_RUNNERS.
const config = readEdgeConfig(process.env)
const logger = createEdgeLogger(config.logLevel)
const edge = await startLocalEdge(config, logger)
process.send?.({ event: 'listening', url: edge.url, port: edge.port })
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  void edge.close().then(() => process.exit(0))
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop)
// a parent holding our IPC channel that dies without stopping us closes it: no orphaned edge
process.once('disconnect', stop)
