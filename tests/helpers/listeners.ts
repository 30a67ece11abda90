import { createSocket } from 'node:dgram'
import { createServer, type Socket } from 'node:net'

// Listeners that only count: the egress tests prove that nothing reached them.

export interface CountingListener {
  readonly port: number
  /** TCP connections accepted, or UDP datagrams received */
  count(): number
  close(): Promise<void>
}

/** A TCP listener on host:port (0 = any free port) that accepts and counts connections, and answers nothing. */
export async function countConnections(host: string, port = 0): Promise<CountingListener> {
  let n = 0
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    n++
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.resume()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: (server.address() as { port: number }).port,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A UDP socket on host that counts the datagrams it receives (a STUN server that never answers). */
export async function countDatagrams(host: string): Promise<CountingListener> {
  let n = 0
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  socket.on('message', () => n++)
  await new Promise<void>((resolve) => socket.bind(0, host, resolve))
  return { port: socket.address().port, count: () => n, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) }
}
