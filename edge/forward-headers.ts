import { HEADER } from '../runner/contract/http-names.ts'

// Headers across the two hops. The client's Authorization never reaches a runner; the runner's
// internal load report never reaches the client.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'])
const FROM_CLIENT = ['content-type', 'accept'] as const

export function clientHeadersToForward(req: Request): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of FROM_CLIENT) {
    const v = req.headers.get(name)
    if (v !== null) out[name] = v
  }
  return out
}

/** The runner's response headers for the client; the body itself streams through untouched. */
export function runnerHeadersForClient(res: Response, runnerId: string): Headers {
  const out = new Headers()
  res.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== HEADER.load) out.append(name, value)
  })
  // fetch decodes compressed bodies but keeps the headers that describe the encoded one
  if (out.has('content-encoding')) {
    out.delete('content-encoding')
    out.delete('content-length')
  }
  if (!out.has(HEADER.runnerId)) out.set(HEADER.runnerId, runnerId)
  return out
}

/** Retry-After in ms (seconds form only; the runner never sends dates). */
export function retryAfterMs(res: Response): number {
  const sec = Number(res.headers.get('retry-after'))
  return Number.isFinite(sec) && sec > 0 ? sec * 1000 : 0
}
