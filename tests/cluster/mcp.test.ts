import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.ts'
import { API_KEY, CLUSTER_STARTUP_TIMEOUT_MS, startCluster, type Cluster } from './cluster.ts'

// /mcp as a user connects to it: the official SDK's client over streamable HTTP, through the edge,
// every tool against the fixture site rendered by real runners.

let cluster: Cluster
let llm: FakeOpenAi
let client: Client

beforeAll(async () => {
  llm = await startFakeOpenAi()
  cluster = await startCluster({ runners: 2, runnerEnv: { CRAWLFLEET_LLM_BASE_URL: llm.baseUrl, CRAWLFLEET_LLM_MODEL: 'test-model' } })
  client = new Client({ name: 'crawlfleet-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${cluster.edge.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${API_KEY}` } } }))
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await client?.close()
  await cluster?.stop()
  await llm?.close()
})

type Content = { type: string; text?: string; data?: string; mimeType?: string; resource?: { blob?: string; mimeType?: string } }
const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Content[]; structuredContent?: any }

describe('cluster: MCP at /mcp', () => {
  it('initializes and lists one tool per page route, with the HTTP API’s input schemas, ask included when an LLM is configured', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'crawlfleet' })
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'crawl', 'execute_js', 'html', 'md', 'pdf', 'screenshot'])
    const md = tools.find((t) => t.name === 'md')!
    expect(md.inputSchema).toMatchObject({ type: 'object', required: ['url'], properties: { url: { type: 'string' }, f: { enum: ['raw', 'fit', 'bm25', 'llm'] } } })
    expect(tools.find((t) => t.name === 'crawl')!.inputSchema).toMatchObject({ required: ['urls'] })
  })

  it('calls md, html, execute_js and crawl', async () => {
    const md = await call('md', { url: `${cluster.site.url}/`, f: 'raw' })
    expect(md.isError).toBeFalsy()
    expect(md.content[0]!.text).toContain('crawlfleet-fixture-home')

    const html = await call('html', { url: `${cluster.site.url}/` })
    expect(html.content[0]!.text).toContain('javascript-ran')

    const js = await call('execute_js', { url: `${cluster.site.url}/`, scripts: ['document.title', 'return 6 * 7'] })
    expect(js.structuredContent.js_execution_result.results).toEqual(['Crawlfleet fixture home', 42])

    const crawl = await call('crawl', { urls: [`${cluster.site.url}/`, `${cluster.site.url}/about.html`] })
    expect(crawl.structuredContent.results.map((r: { success: boolean }) => r.success)).toEqual([true, true])
    expect(crawl.structuredContent.results[0].markdown.raw).toContain('crawlfleet-fixture-home')
  })

  it('answers screenshot with image content and pdf with an embedded PDF', async () => {
    const shot = await call('screenshot', { url: `${cluster.site.url}/`, viewport: { width: 640, height: 400 } })
    expect(shot.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' })
    expect(Buffer.from(shot.content[0]!.data!, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))

    const pdf = await call('pdf', { url: `${cluster.site.url}/` })
    expect(pdf.content[0]).toMatchObject({ type: 'resource', resource: { mimeType: 'application/pdf' } })
    expect(Buffer.from(pdf.content[0]!.resource!.blob!, 'base64').subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('asks the configured LLM about a page', async () => {
    llm.script({ kind: 'content', content: 'It is the fixture home page.' })
    const asked = await call('ask', { url: `${cluster.site.url}/`, q: 'What is this page?' })
    expect(asked.content[0]!.text).toBe('It is the fixture home page.')
    expect(JSON.stringify(llm.requests.at(-1)!.body)).toContain('crawlfleet-fixture-home')
  })

  it('reports a refused URL as a tool error the model can read', async () => {
    const refused = await call('html', { url: 'http://169.254.169.254/latest/meta-data/' })
    expect(refused.isError).toBe(true)
    expect(refused.content[0]!.text).toMatch(/^URL_REFUSED: .*link-local/)
  })

  it('needs the API key, and keeps no session: a tools/call with no initialize before it is answered', async () => {
    const rpc = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'html', arguments: { url: `${cluster.site.url}/about.html` } } }
    const post = (headers: Record<string, string>) =>
      fetch(`${cluster.edge.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(rpc) })
    expect((await post({})).status).toBe(401)
    const res = await post({ authorization: `Bearer ${API_KEY}` })
    expect(res.status).toBe(200)
    // the 2025 protocol's stateless leg answers one server-sent event
    const text = await res.text()
    const data = res.headers.get('content-type')?.startsWith('text/event-stream') ? text.split('\n').find((l) => l.startsWith('data: '))!.slice(6) : text
    const body = JSON.parse(data) as { result: { content: Content[] } }
    expect(body.result.content[0]!.text).toContain('<title>About')
  })
})
