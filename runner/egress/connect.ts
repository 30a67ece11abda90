import { connect, type Socket } from 'node:net'

/** A connection that failed on every address; `code` is the last socket error (ECONNREFUSED, ETIMEDOUT…). */
export class ConnectError extends Error {
  constructor(readonly code: string) {
    super(`could not connect: ${code}`)
    this.name = 'ConnectError'
  }
}

/**
 * A TCP connection to the first of `addresses` (all of them checked by the URL policy) that answers
 * within `timeoutMs`, trying the next on failure. Nothing else is ever connected to.
 */
export async function connectFirst(addresses: readonly string[], port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  let code = 'EUNKNOWN'
  for (const address of addresses) {
    signal.throwIfAborted()
    try {
      return await connectOne(address, port, timeoutMs, signal)
    } catch (err) {
      if (signal.aborted) throw signal.reason
      code = (err as NodeJS.ErrnoException).code ?? code
    }
  }
  throw new ConnectError(code)
}

function connectOne(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port })
    const fail = (err: Error) => {
      cleanup()
      socket.destroy()
      reject(err)
    }
    const onError = (err: Error) => fail(err)
    const onAbort = () => fail(signal.reason as Error)
    const timer = setTimeout(() => fail(Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('error', onError)
      signal.removeEventListener('abort', onAbort)
    }
    socket.once('error', onError)
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => {
      cleanup()
      resolve(socket)
    })
  })
}

/** Ends a connect attempt that has not connected within `timeoutMs`; an idle connection is left alone. */
export function limitConnectTime(socket: Socket, timeoutMs: number): void {
  if (!socket.connecting) return
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs)
  socket.once('connect', () => clearTimeout(timer))
  socket.once('close', () => clearTimeout(timer))
}
