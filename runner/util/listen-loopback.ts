import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface LoopbackListener {
  readonly port: number
  /** http://<host>:<port> */
  readonly url: string
  /** stops listening and ends open connections, so it never waits on an idle keep-alive */
  close(): Promise<void>
}

/** Listens on a free port of a loopback address and tracks its connections for close(). */
export async function listenOnLoopback(server: Server, host = '127.0.0.1'): Promise<LoopbackListener> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
