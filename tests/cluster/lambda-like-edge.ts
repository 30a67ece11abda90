// A stand-in for one Lambda instance of the edge, as its own process: the local edge's parts with
// the cloud's placement (CRAWLFLEET_PLACEMENT=probe) and one request at a time. A request that
// arrives while another is in flight gets 503 EDGE_INSTANCE_BUSY: Lambda never does that, and the
// test that drives these processes asserts it never happens. Prints `listening <port>`.
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createEdgeApp } from '../../edge/app.ts'
import { readEdgeConfig } from '../../edge/config.ts'
import { localDeps } from '../../edge/deps.ts'
import { createEdgeLogger } from '../../edge/core/logger.ts'

const config = readEdgeConfig(process.env)
const app = createEdgeApp(localDeps(config, createEdgeLogger(config.logLevel)))
let busy = false
const server = serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: async (req: Request) => {
    if (busy) return Response.json({ success: false, error: { code: 'EDGE_INSTANCE_BUSY' } }, { status: 503 })
    busy = true
    try {
      const res = await app.fetch(req)
      // the instance is busy until its answer has been sent, as a streaming Lambda is
      const body = await res.arrayBuffer()
      return new Response(body, { status: res.status, headers: res.headers })
    } finally {
      busy = false
    }
  },
}) as Server
server.once('listening', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`))
process.once('SIGTERM', () => server.close(() => process.exit(0)))
