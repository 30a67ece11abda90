import { endpointOf, type Discovery, type RunnerEndpoint } from './types.ts'

/** A fixed list of runner URLs (CRAWLFLEET_RUNNERS): local mode and tests. */
export function staticDiscovery(urls: readonly string[]): Discovery {
  const byId = new Map<string, RunnerEndpoint>()
  for (const url of urls) {
    const e = endpointOf(url)
    if (byId.has(e.id)) throw new Error(`runner ${e.id} is listed twice`)
    byId.set(e.id, e)
  }
  const list = Object.freeze([...byId.values()])
  return {
    runners: async () => list,
    invalidate: () => {},
  }
}
