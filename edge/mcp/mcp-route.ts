import { createMcpHandler, McpServer, type CallToolResult } from '@modelcontextprotocol/server'
import type { Context, Hono } from 'hono'
import { asCrawlfleetError, ERROR_CODE_HEADER } from '../../runner/contract/errors.ts'
import type { UrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { Forward } from '../forward.ts'
import { requireApiKey, type ApiKeyAuth } from '../middleware/api-key.ts'
import { admitPageCall } from '../page-call.ts'
import type { RunnerCaller } from '../fleet/runner-call.ts'
import { MCP_TOOLS, type McpTool } from './mcp-tools.ts'

// MCP (streamable HTTP) at /mcp, served by the edge with the official SDK's per-request handler:
// every HTTP request gets a fresh server instance and nothing is kept between requests, so any edge
// instance (any Lambda) answers any request and no session needs to stick to one. Each tool call is
// the page request of the same name, checked (schema, URL policy) and forwarded like any other:
// rendezvous by browser signature, the next runner on pressure, the key's auth in front.

export interface McpDeps {
  readonly auth: ApiKeyAuth
  readonly urlPolicy: UrlPolicy
  readonly forward: Forward
  readonly caller: RunnerCaller
  readonly maxBodyBytes: number
  readonly version: string
}

const LLM_PROBE_TTL_MS = 60_000

export function mountMcp(app: Hono<EdgeEnv>, deps: McpDeps): void {
  const llmConfigured = llmProbe(deps.caller)
  app.on(['GET', 'POST', 'DELETE'], '/mcp', requireApiKey(deps.auth), async (c) => {
    const withLlm = await llmConfigured(c.get('requestId'))
    const handler = createMcpHandler(() => mcpServer(c, deps, withLlm), { maxRequestBodySize: deps.maxBodyBytes })
    return handler.fetch(c.req.raw)
  })
}

function mcpServer(c: Context<EdgeEnv>, deps: McpDeps, withLlm: boolean): McpServer {
  const server = new McpServer({ name: 'crawlfleet', version: deps.version }, { instructions: 'Rendered web pages from a fleet of long-lived Chromium browsers: Markdown, HTML, screenshots, PDFs, scripts, crawls.' })
  for (const tool of MCP_TOOLS) {
    if (tool.needsLlm && !withLlm) continue
    server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.input }, ((args: Record<string, unknown>) => callTool(c, deps, tool, args)) as never)
  }
  return server
}

async function callTool(c: Context<EdgeEnv>, deps: McpDeps, tool: McpTool, args: Record<string, unknown>): Promise<CallToolResult> {
  try {
    const body = new TextEncoder().encode(JSON.stringify(args))
    const signature = await admitPageCall(tool.route, body, deps.urlPolicy)
    const res = await deps.forward({
      method: 'POST',
      pathWithQuery: tool.route,
      body,
      headers: { 'content-type': 'application/json', ...(tool.accept ? { accept: tool.accept } : {}) },
      signature,
      requestId: c.get('requestId'),
      deadlineAtMs: c.get('deadlineAtMs'),
      clientSignal: c.req.raw.signal,
    })
    if (!res.ok) return toolError(res.headers.get(ERROR_CODE_HEADER) ?? `HTTP ${res.status}`, await errorMessage(res))
    return await tool.result(res, args)
  } catch (err) {
    const known = asCrawlfleetError(err, c.get('requestId'))
    return toolError(known.code, known.message + (known.field ? ` (field ${known.field})` : ''))
  }
}

/** A failed page request is a tool result the model can read, not a protocol error. */
function toolError(code: string, message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }] }
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text()
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text
  } catch {
    return text.slice(0, 500)
  }
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
