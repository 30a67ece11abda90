import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// The OpenAPI document a real runner serves, generated from the same zod schemas that validate requests.

let runner: RunnerProcess

beforeAll(async () => {
  runner = await startRunnerProcess()
})
afterAll(async () => {
  await runner?.stop()
})

type Json = Record<string, any>

const ENDPOINTS: readonly [path: string, method: 'get' | 'post', requestSchema: string | null][] = [
  ['/html', 'post', 'HtmlRequest'],
  ['/screenshot', 'post', 'ScreenshotRequest'],
  ['/pdf', 'post', 'PdfRequest'],
  ['/execute_js', 'post', 'ExecuteJsRequest'],
  ['/md', 'post', 'MdRequest'],
  ['/llm', 'post', 'LlmRequest'],
  ['/llm/{url}', 'get', null],
  ['/crawl', 'post', 'CrawlRequest'],
  ['/crawl/stream', 'post', 'CrawlRequest'],
]

async function openApiDocument(): Promise<Json> {
  const res = await fetch(`${runner.url}/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return (await res.json()) as Json
}

describe('OpenAPI', () => {
  it('GET /openapi.json is a valid OpenAPI 3.1 document, the same on every call', async () => {
    const doc = await openApiDocument()
    expect(doc.openapi).toMatch(/^3\.1\./)
    const validator = new Validator()
    // the validator resolves $refs in place: it gets a copy
    const result = await validator.validate(structuredClone(doc))
    expect(result.errors, JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    // every $ref resolves
    const resolved = validator.resolveRefs() as Json
    expect(resolved.paths['/md'].post.requestBody.content['application/json'].schema.properties.f.enum).toEqual(['raw', 'fit', 'bm25', 'llm'])

    expect(await openApiDocument()).toEqual(doc)
  })

  it('lists every endpoint with its method, request schema, answers and errors', async () => {
    const doc = await openApiDocument()
    for (const [path, method, requestSchema] of ENDPOINTS) {
      const op = doc.paths[path]?.[method] as Json | undefined
      expect(op, `${method.toUpperCase()} ${path}`).toBeDefined()
      expect(op!.summary, path).toEqual(expect.any(String))
      if (requestSchema) {
        expect(op!.requestBody.required, path).toBe(true)
        expect(op!.requestBody.content['application/json'].schema, path).toEqual({ $ref: `#/components/schemas/${requestSchema}` })
        expect(doc.components.schemas[requestSchema], requestSchema).toBeDefined()
      }
      expect(Object.keys(op!.responses), path).toEqual(expect.arrayContaining(['200', '400', '403', '429', '502', '503', '504']))
      expect(op!.responses['400'].content['application/json'].schema, path).toEqual({ $ref: '#/components/schemas/ErrorResponse' })
      expect(op!.security, path).toEqual([{ bearer: [] }])
    }
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' })

    // the GET form of /llm takes its URL in the path and its question in the query
    const params = doc.paths['/llm/{url}'].get.parameters as Json[]
    expect(params).toContainEqual(expect.objectContaining({ name: 'url', in: 'path', required: true }))
    expect(params).toContainEqual(expect.objectContaining({ name: 'q', in: 'query', required: true }))

    // binary answers are listed next to the JSON ones; the stream is NDJSON only
    expect(Object.keys(doc.paths['/screenshot'].post.responses['200'].content)).toEqual(['application/json', 'image/png'])
    expect(Object.keys(doc.paths['/pdf'].post.responses['200'].content)).toEqual(['application/json', 'application/pdf'])
    expect(Object.keys(doc.paths['/crawl/stream'].post.responses['200'].content)).toEqual(['application/x-ndjson'])
    expect(doc.paths['/crawl'].post.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CrawlResponse' })

    // the routes that need an LLM say what happens without one
    for (const [path, method] of [['/md', 'post'], ['/llm', 'post'], ['/llm/{url}', 'get']] as const) {
      expect(doc.paths[path][method].responses['501'], path).toBeDefined()
    }
  })

  it('the request schemas in the document judge bodies as the runner does', async () => {
    const doc = await openApiDocument()
    // compiled with their $refs (each component once): inlined, the crawl4ai wrappers take ajv seconds
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
    ajv.addSchema({ $id: 'openapi.json', components: doc.components })
    const schemas = new Proxy({} as Json, { get: (_t, name: string) => ({ $ref: `openapi.json#/components/schemas/${name}` }) })
    // the URL is refused by the URL policy, so a body the runner accepts never renders a page
    const refused = 'http://169.254.169.254/'
    const cases: [schema: string, path: string, body: Json][] = [
      ['MdRequest', '/md', { url: refused }],
      ['MdRequest', '/md', { url: refused, f: 'bm25', q: 'pools', c: 3, viewport: { width: 800, height: 600 } }],
      ['MdRequest', '/md', { url: refused, f: 'summary' }],
      ['MdRequest', '/md', { url: refused, surprise: true }],
      ['MdRequest', '/md', { f: 'raw' }],
      ['LlmRequest', '/llm', { url: refused, q: 'what?' }],
      ['LlmRequest', '/llm', { url: refused, q: 'what?', schema: { type: 'object' } }],
      ['LlmRequest', '/llm', { url: refused, q: '' }],
      ['LlmRequest', '/llm', { url: refused, q: 'what?', schema: 'object' }],
      ['CrawlRequest', '/crawl', { urls: [refused], crawler_config: { screenshot: true, page_timeout: 5000 } }],
      ['CrawlRequest', '/crawl', { urls: [] }],
      ['CrawlRequest', '/crawl', { urls: Array.from({ length: 101 }, () => refused) }],
      ['CrawlRequest', '/crawl', { urls: [refused], crawler_config: { screenshot: 'yes' } }],
      ['CrawlRequest', '/crawl', { urls: [refused], crawler_config: { page_timeout: 10_000_000 } }],
    ]
    const verdicts: string[] = []
    for (const [schema, path, body] of cases) {
      const documented = ajv.validate(schemas[schema], body)
      const res = await fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      await res.body?.cancel()
      verdicts.push(`${path} ${JSON.stringify(body).slice(0, 80)}: document ${documented ? 'accepts' : 'refuses'}, runner ${res.status === 400 ? 'refuses' : 'accepts'}`)
      expect(res.status === 400, verdicts.at(-1)).toBe(!documented)
    }
    // both kinds were tried
    expect(verdicts.filter((v) => v.includes('document accepts')).length).toBeGreaterThanOrEqual(4)
    expect(verdicts.filter((v) => v.includes('document refuses')).length).toBeGreaterThanOrEqual(4)
  })

  it('GET /docs serves a readable HTML page pointing at the document', async () => {
    const res = await fetch(`${runner.url}/docs`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await res.text()
    expect(html).toMatch(/<html/i)
    expect(html).toContain('/openapi.json')
    expect(html).toMatch(/swagger-ui/i)
  })
})
