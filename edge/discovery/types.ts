export interface RunnerEndpoint {
  /** the routing identity: host:port of the runner's URL (stable for the runner's lifetime) */
  readonly id: string
  /** base URL, e.g. http://10.0.3.17:11235 */
  readonly url: string
}

export interface Discovery {
  /** the runners to route to now; may be a cached list */
  runners(): Promise<readonly RunnerEndpoint[]>
  /** a runner could not be reached: the list may be stale, refresh it soon */
  invalidate(): void
}

export function endpointOf(url: string): RunnerEndpoint {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(`"${url}" is not a runner URL (like http://127.0.0.1:11235)`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`runner URL "${url}" must be http or https`)
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  return { id: `${u.hostname}:${port}`, url: `${u.protocol}//${u.host}` }
}
