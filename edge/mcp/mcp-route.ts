import type { Hono } from 'hono'
import type { EdgeEnv } from '../core/edge-env.ts'
import { requireApiKey } from '../middleware/api-key.ts'
import type { RunnerCaller } from '../fleet/runner-call.ts'
import type { McpDeps } from './mcp-server.ts'

// MCP (streamable HTTP) at /mcp, served by the edge with the official SDK's per-request handler:
// every HTTP request gets a fresh server instance and nothing is kept between requests, so any edge
// instance (any Lambda) answers any request and no session needs to stick to one. Each tool call is
// the page request of the same name, checked (schema, URL policy) and forwarded like any other:
// rendezvous by browser signature, the next runner on pressure, the key's auth in front.

const LLM_PROBE_TTL_MS = 60_000

export function mountMcp(app: Hono<EdgeEnv>, deps: McpDeps): void {
  const llmConfigured = llmProbe(deps.caller)
  app.on(['GET', 'POST', 'DELETE'], '/mcp', requireApiKey(deps.auth), async (c) => {
    const withLlm = await llmConfigured(c.get('requestId'))
    // the SDK is loaded on the first /mcp request: an edge cold start that serves pages never evaluates it
    const { serveMcp } = await import('./mcp-server.ts')
    return serveMcp(c, deps, withLlm)
  })
}

/** Whether the runners have an LLM (their /health says), asked at most once a minute per edge instance. */
function llmProbe(caller: RunnerCaller) {
  let known: { value: boolean; atMs: number } | undefined
  return async (requestId: string): Promise<boolean> => {
    if (known && performance.now() - known.atMs < LLM_PROBE_TTL_MS) return known.value
    for (const runner of await caller.runners().catch(() => [])) {
      try {
        const res = await caller.call(runner, { method: 'GET', pathWithQuery: '/health', requestId, timeoutMs: 2_000 })
        const body = (await res.json()) as { llm?: unknown }
        known = { value: body.llm === true, atMs: performance.now() }
        return known.value
      } catch {
        // the next runner
      }
    }
    return false
  }
}
