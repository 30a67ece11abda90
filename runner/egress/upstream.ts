import type { Socket } from 'node:net'
import type { ProxySettings } from '../contract/signature.ts'

// A caller's own proxy is the egress proxy's upstream, never the browser's: the browser always talks
// to the egress proxy, which connects to the upstream at an address the URL policy checked for that
// connection, and speaks HTTP proxying to it (CONNECT for tunnels, absolute-form for plain HTTP).

export interface Upstream {
  /** without brackets */
  readonly hostname: string
  readonly port: number
  /** the Proxy-Authorization value, when the caller gave credentials */
  readonly authorization?: string
}

const MAX_HEAD_BYTES = 16 * 1024

export function upstreamOf(proxy: ProxySettings): Upstream {
  const url = new URL(proxy.server)
  if (url.protocol !== 'http:') throw new Error(`only http:// proxies can be an upstream, not ${url.protocol}`)
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  const credentials = proxy.username !== undefined || proxy.password !== undefined ? `${proxy.username ?? ''}:${proxy.password ?? ''}` : undefined
  return {
    hostname,
    port: Number(url.port || 80),
    ...(credentials !== undefined ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {}),
  }
}

/** The upstream answered a CONNECT with something other than 2xx. */
export class UpstreamRefusedError extends Error {
  readonly code: string
  constructor(readonly status: number) {
    super(`the upstream proxy answered ${status}`)
    this.name = 'UpstreamRefusedError'
    this.code = `PROXY_${status}`
  }
}

/**
 * Asks the upstream (on a connected socket) for a tunnel to `authority` (host:port). Resolves with
 * the bytes that followed its answer, which already belong to the tunnel.
 */
export function openTunnel(socket: Socket, authority: string, upstream: Upstream, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0)
    const done = (err?: Error, rest?: Buffer) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      socket.pause() // what follows belongs to the tunnel: it waits for the pipe
      if (err) reject(err)
      else resolve(rest!)
    }
    const onError = (err: Error) => done(err)
    const onClose = () => done(Object.assign(new Error('the upstream proxy closed the connection'), { code: 'ECONNRESET' }))
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) done(Object.assign(new Error('the upstream proxy sent an oversized answer'), { code: 'EPROTO' }))
        return
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? 0)
      if (status >= 200 && status < 300) done(undefined, head.subarray(end + 4))
      else done(new UpstreamRefusedError(status))
    }
    const timer = setTimeout(() => done(Object.assign(new Error(`the upstream proxy did not answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs)
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
    const auth = upstream.authorization ? `proxy-authorization: ${upstream.authorization}\r\n` : ''
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${auth}\r\n`)
  })
}
