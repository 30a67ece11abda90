import type { CallToolResult } from '@modelcontextprotocol/server'
import type { z } from '@hono/zod-openapi'
import type { PagePath } from '../../runner/contract/page-routes.ts'
import { CrawlRequest, ExecuteJsRequest, HtmlRequest, LlmRequest, MdRequest, PdfRequest, ScreenshotRequest } from '../../runner/contract/request-schemas.ts'

// The MCP tools, one per page route, with the HTTP API's own request schemas as their input schemas:
// a tool call is the same page request, checked and forwarded by the edge the same way.

export interface McpTool {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly route: PagePath
  readonly input: z.ZodType
  /** the Accept header: the raw bytes of an image or a PDF instead of base64 in JSON */
  readonly accept?: 'image/png' | 'application/pdf'
  /** the runner's 2xx answer as MCP content */
  result(res: Response, args: Record<string, unknown>): Promise<CallToolResult>
  /** only listed when an LLM is configured on the runners */
  readonly needsLlm?: boolean
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] })
const json = async (res: Response) => (await res.json()) as Record<string, unknown>

export const MCP_TOOLS: readonly McpTool[] = [
  {
    name: 'md',
    title: 'Page as Markdown',
    description: 'Render a page in Chromium and return its Markdown: fit (main content, default), raw, bm25 (ranked against q) or llm (filtered by a model)',
    route: '/md',
    input: MdRequest,
    result: async (res) => text(String((await json(res)).markdown ?? '')),
  },
  {
    name: 'html',
    title: 'Rendered HTML',
    description: 'Render a page in Chromium (scripts run) and return its HTML',
    route: '/html',
    input: HtmlRequest,
    result: async (res) => text(String((await json(res)).html ?? '')),
  },
  {
    name: 'screenshot',
    title: 'Screenshot',
    description: 'A PNG screenshot of a page (full_page for the whole page)',
    route: '/screenshot',
    input: ScreenshotRequest,
    accept: 'image/png',
    result: async (res) => ({ content: [{ type: 'image', data: Buffer.from(await res.arrayBuffer()).toString('base64'), mimeType: 'image/png' }] }),
  },
  {
    name: 'pdf',
    title: 'PDF',
    description: 'A PDF of a page, printed by Chromium',
    route: '/pdf',
    input: PdfRequest,
    accept: 'application/pdf',
    result: async (res, args) => ({
      content: [{ type: 'resource', resource: { uri: String(args.url), mimeType: 'application/pdf', blob: Buffer.from(await res.arrayBuffer()).toString('base64') } }],
    }),
  },
  {
    name: 'execute_js',
    title: 'Run scripts in a page',
    description: 'Render a page and run scripts in it, in order; each result JSON-serialised',
    route: '/execute_js',
    input: ExecuteJsRequest,
    result: async (res) => {
      const body = await json(res)
      const out = { url: body.url, js_execution_result: body.js_execution_result }
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out }
    },
  },
  {
    name: 'crawl',
    title: 'Crawl URLs',
    description: 'Crawl up to 100 URLs; for each: success, status, Markdown, links, media and metadata (the HTML is left out here; use the html tool for it)',
    route: '/crawl',
    input: CrawlRequest,
    result: async (res) => {
      const body = (await json(res)) as { success: boolean; results: { html?: string }[] }
      const out = { success: body.success, results: body.results.map(({ html: _html, ...rest }) => rest) }
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out }
    },
  },
  {
    name: 'ask',
    title: 'Ask about a page',
    description: 'Answer a question about a page with the LLM configured on the fleet; with a JSON schema, structured data that fits it',
    route: '/llm',
    input: LlmRequest,
    needsLlm: true,
    result: async (res) => {
      const body = await json(res)
      return 'answer' in body ? text(String(body.answer)) : { content: [{ type: 'text', text: JSON.stringify(body.data) }], structuredContent: { data: body.data } }
    },
  },
]
