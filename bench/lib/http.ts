import type { Answer } from './load.ts'

/** Client-side limit per request; a runner's own page timeout is 30 s by default. */
export const CLIENT_TIMEOUT_MS = 60_000

/** POSTs JSON and reads the whole body, so the time measured includes the transfer. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer & { body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  })
  const text = await res.text()
  const retryAfter = res.headers.get('retry-after')
  const runnerMs = serverTimingMs(res.headers.get('server-timing'), 'total')
  return { status: res.status, body: text, ...(retryAfter !== null ? { retryAfterSec: Number(retryAfter) } : {}), ...(runnerMs !== undefined ? { runnerMs } : {}) }
}

/** One metric's duration from a Server-Timing header, ms. */
export function serverTimingMs(header: string | null, name: string): number | undefined {
  const m = header && new RegExp(`(?:^|,)\\s*${name};dur=([\\d.]+)`).exec(header)
  return m ? Number(m[1]) : undefined
}

export async function getStatus(url: string): Promise<Answer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) })
  await res.arrayBuffer()
  return { status: res.status }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) })
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`)
  return (await res.json()) as T
}
