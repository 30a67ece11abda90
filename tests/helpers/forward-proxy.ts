import { createServer, request, type Server } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'

// A caller's own HTTP proxy, as the runner's egress proxy meets it upstream: CONNECT tunnels and
// absolute-form requests, optionally behind Basic credentials (407 without them). Every request is
// recorded with the credentials it carried.

export interface ForwardProxy {
  readonly url: string
  readonly port: number
  readonly seen: { readonly method: string; readonly target: string; readonly authorization?: string }[]
  close(): Promise<void>
}

export async function startForwardProxy(host = '127.0.0.1', o: { credentials?: { username: string; password: string } } = {}): Promise<ForwardProxy> {
  const seen: { method: string; target: string; authorization?: string }[] = []
  const expected = o.credentials && `Basic ${Buffer.from(`${o.credentials.username}:${o.credentials.password}`).toString('base64')}`
  const authorised = (authorization: string | undefined) => !expected || authorization === expected
  const server: Server = createServer((req, res) => {
    const authorization = req.headers['proxy-authorization']
    seen.push({ method: req.method ?? '', target: req.url ?? '', ...(authorization ? { authorization } : {}) })
    if (!authorised(authorization)) return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end()
    const target = new URL(req.url ?? '')
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const up = request({ host: target.hostname, port: Number(target.port || 80), path: target.pathname + target.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
      answer.pipe(res)
    })
    up.on('error', () => res.writeHead(502).end())
    req.pipe(up)
  })
  server.on('connect', (req, client: Duplex, head: Buffer) => {
    const authorization = req.headers['proxy-authorization']
    seen.push({ method: 'CONNECT', target: req.url ?? '', ...(authorization ? { authorization } : {}) })
    client.on('error', () => undefined)
    if (!authorised(authorization)) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n')
    const [hostname, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))]
    const up = connect(port, hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) up.write(head)
      up.pipe(client)
      client.pipe(up)
    })
    up.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n'))
    client.on('close', () => up.destroy())
  })
  const listener = await listenOnLoopback(server, host)
  return { url: listener.url, port: listener.port, seen, close: listener.close }
}
