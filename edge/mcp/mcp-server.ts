import { createMcpHandler, McpServer, type CallToolResult } from '@modelcontextprotocol/server'
import type { Context } from 'hono'
import { asCrawlfleetError, ERROR_CODE_HEADER } from '../../runner/contract/errors.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import { admitPageCall } from '../page-call.ts'
import type { UrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import type { RunnerCaller } from '../fleet/runner-call.ts'
import type { Forward } from '../forward.ts'
import type { ApiKeyAuth } from '../middleware/api-key.ts'
import { MCP_TOOLS, type McpTool } from './mcp-tools.ts'

export interface McpDeps {
  readonly auth: ApiKeyAuth
  readonly urlPolicy: UrlPolicy
  readonly forward: Forward
  readonly caller: RunnerCaller
  readonly maxBodyBytes: number
  readonly version: string
}

/** One MCP exchange: a fresh server with the tools, for this HTTP request only. */
export function serveMcp(c: Context<EdgeEnv>, deps: McpDeps, withLlm: boolean): Promise<Response> {
  return createMcpHandler(() => mcpServer(c, deps, withLlm), { maxRequestBodySize: deps.maxBodyBytes }).fetch(c.req.raw)
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
