import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reply, startFakeOpenAi, type FakeOpenAi, type RecordedRequest } from '../helpers/fake-openai.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// /llm and /md?f=llm on a real runner process with real Chromium, talking to a local
// OpenAI-compatible server. The runner logs at debug level, so a key that leaked into any log
// line would show in its output.

const API_KEY = 'sk-crawlfleet-test-0f3c9a71e5d24b88-SECRET'
const MODEL = 'crawlfleet-test-model'
const LLM_TIMEOUT_MS = 3000

let site: FixtureSite
let llm: FakeOpenAi
let runner: RunnerProcess
/** every response body this file received from the runner, for the key check at the end */
const responses: string[] = []

beforeAll(async () => {
  site = await startFixtureSite()
  llm = await startFakeOpenAi()
  runner = await startRunnerProcess({
    CRAWLFLEET_LLM_BASE_URL: llm.baseUrl,
    CRAWLFLEET_LLM_MODEL: MODEL,
    CRAWLFLEET_LLM_API_KEY: API_KEY,
    CRAWLFLEET_LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
    CRAWLFLEET_LOG_LEVEL: 'debug',
  })
})
afterAll(async () => {
  await runner?.stop()
  await llm?.close()
  await site?.close()
})

async function call(path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${runner.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  responses.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`)
  return { status: res.status, json: JSON.parse(text), text }
}

/** the LLM requests that `fn` caused */
async function llmRequestsDuring(fn: () => Promise<void>): Promise<RecordedRequest[]> {
  const before = llm.requests.length
  await fn()
  return llm.requests.slice(before)
}

const article = () => `${site.url}/content/article.html`
const userPrompt = (r: RecordedRequest) => (r.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user')!.content
const systemPrompt = (r: RecordedRequest) => (r.body.messages as { role: string; content: string }[]).find((m) => m.role === 'system')!.content

describe('/llm with an OpenAI-compatible server', () => {
  it('POST /llm {url, q} → {answer}, and the page text reached the prompt', async () => {
    const question = 'How long does the headless shell take to launch?'
    let res!: Awaited<ReturnType<typeof call>>
    const sent = await llmRequestsDuring(async () => {
      llm.script(reply.content('  The headless shell launches in 184 ms.\n'))
      res = await call('/llm', { url: article(), q: question })
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json).toEqual({ answer: 'The headless shell launches in 184 ms.' })

    expect(sent).toHaveLength(1)
    const [request] = sent as [RecordedRequest]
    expect(request.method).toBe('POST')
    expect(request.path).toBe('/v1/chat/completions')
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(request.body.model).toBe(MODEL)
    expect(request.body.response_format).toBeUndefined()
    const prompt = userPrompt(request)
    expect(prompt).toContain(question)
    expect(prompt).toContain(`<page url="${article()}">`)
    // the rendered article's text (fit: main content only, as Markdown)
    expect(prompt).toContain('A pool of long-lived browsers turns that launch into a one-off cost.')
    expect(prompt).toContain('| Headless shell | 184 | 90 |')
    expect(prompt).not.toContain('Footer imprint')
  })

  it('GET /llm/{url}?q= answers the same way', async () => {
    let res!: Awaited<ReturnType<typeof call>>
    const sent = await llmRequestsDuring(async () => {
      llm.script(reply.content('Fleet Notes'))
      res = await call(`/llm/${encodeURIComponent(`${site.url}/content/sections.html`)}?q=${encodeURIComponent('Who publishes the handbook?')}`)
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json).toEqual({ answer: 'Fleet Notes' })
    expect(sent).toHaveLength(1)
    expect(userPrompt(sent[0]!)).toContain('Question: Who publishes the handbook?')
    expect(userPrompt(sent[0]!)).toContain('The runner reads its memory limit from the cgroup it runs in.')

    // crawl4ai's callers put the URL in the path as it is, slashes and all
    let asIs!: Awaited<ReturnType<typeof call>>
    const sentAsIs = await llmRequestsDuring(async () => {
      llm.script(reply.content('184 ms'))
      asIs = await call(`/llm/${article()}?q=${encodeURIComponent('Launch time of the headless shell?')}`)
    })
    expect(asIs.status, asIs.text).toBe(200)
    expect(asIs.json).toEqual({ answer: '184 ms' })
    expect(userPrompt(sentAsIs[0]!)).toContain(`<page url="${article()}">`)
    expect(userPrompt(sentAsIs[0]!)).toContain('Question: Launch time of the headless shell?')

    const noQ = await call(`/llm/${encodeURIComponent(article())}`)
    expect(noQ.status).toBe(400)
    expect(noQ.json).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'q' } })
  })

  it('with a JSON schema → {data} that fits it; the schema reached the model', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, launch_ms: { type: 'number' }, builds: { type: 'array', items: { type: 'string' } } },
      required: ['title', 'launch_ms'],
    }
    const data = { title: 'Keeping Chromium Warm', launch_ms: 184, builds: ['Headless shell', 'Full Chromium'] }
    let res!: Awaited<ReturnType<typeof call>>
    const sent = await llmRequestsDuring(async () => {
      // models fence JSON now and then, even in JSON mode
      llm.script(reply.content(`\`\`\`json\n${JSON.stringify(data, null, 2)}\n\`\`\``))
      res = await call('/llm', { url: article(), q: 'the title and the headless launch time', schema })
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json).toEqual({ data })
    expect(sent[0]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: false } })
    expect(systemPrompt(sent[0]!)).toContain(JSON.stringify(schema))
    expect(userPrompt(sent[0]!)).toContain('Keeping Chromium Warm')
  })

  it('a model output that does not fit the schema → 502 naming the mismatch', async () => {
    const schema = { type: 'object', properties: { title: { type: 'string' }, launch_ms: { type: 'number' } }, required: ['title', 'launch_ms'] }
    llm.script(reply.json({ title: 42 }))
    const mismatch = await call('/llm', { url: article(), q: 'title and launch time', schema })
    expect(mismatch.status).toBe(502)
    expect(mismatch.json).toMatchObject({ success: false, error: { code: 'LLM_FAILED' } })
    expect(mismatch.json.error.message).toMatch(/does not fit the schema/)
    expect(mismatch.json.error.message).toContain('title: must be string')
    expect(mismatch.json.error.message).toContain('launch_ms: is required')

    llm.script(reply.content('The title is Keeping Chromium Warm.'))
    const prose = await call('/llm', { url: article(), q: 'title and launch time', schema })
    expect(prose.status).toBe(502)
    expect(prose.json.error).toMatchObject({ code: 'LLM_FAILED' })
    expect(prose.json.error.message).toMatch(/not JSON.*The title is Keeping Chromium Warm/)
  })

  it('an invalid schema or a missing q is a 400 before the model is asked', async () => {
    const sent = await llmRequestsDuring(async () => {
      const badSchema = await call('/llm', { url: article(), q: 'title', schema: { type: 'object', properties: { a: { type: 'no-such-type' } } } })
      expect(badSchema.status).toBe(400)
      expect(badSchema.json).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'schema' } })
      const noQ = await call('/llm', { url: article() })
      expect(noQ.status).toBe(400)
      expect(noQ.json).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'q' } })
    })
    expect(sent).toHaveLength(0)
  })

  it('the model failing (HTTP error, garbage, no answer in time) → 502 LLM_FAILED naming the reason', async () => {
    llm.script(reply.error(500, 'the model is overloaded'))
    const overloaded = await call('/llm', { url: article(), q: 'anything' })
    expect(overloaded.status).toBe(502)
    expect(overloaded.json.error).toMatchObject({ code: 'LLM_FAILED' })
    expect(overloaded.json.error.message).toMatch(/HTTP 500.*the model is overloaded/)

    llm.script(reply.garbage())
    const garbage = await call('/llm', { url: article(), q: 'anything' })
    expect(garbage.status).toBe(502)
    expect(garbage.json.error.message).toMatch(/not JSON/)

    llm.script(reply.hang())
    const started = Date.now()
    const hung = await call('/llm', { url: article(), q: 'anything' })
    expect(hung.status).toBe(502)
    expect(hung.json.error.message).toContain(`did not answer within ${LLM_TIMEOUT_MS} ms`)
    expect(Date.now() - started).toBeLessThan(LLM_TIMEOUT_MS + 15_000)
  })

  it('a gateway that echoes the key back: the key is redacted from the error', async () => {
    llm.script(reply.error(401, `Incorrect API key provided: ${API_KEY}. Authorization: Bearer ${API_KEY}`))
    const res = await call('/llm', { url: article(), q: 'anything' })
    expect(res.status).toBe(502)
    expect(res.json.error.message).toMatch(/HTTP 401.*Incorrect API key provided: \[redacted\]/)
    expect(res.text).not.toContain(API_KEY)
  })

  it('POST /md f=llm → the model\'s filtered Markdown, from the page\'s fit Markdown and the query', async () => {
    const filtered = '## Measured costs\n\n| Build | Launch (ms) | Memory (MB) |\n| --- | --- | --- |\n| Headless shell | 184 | 90 |'
    let res!: Awaited<ReturnType<typeof call>>
    const sent = await llmRequestsDuring(async () => {
      llm.script(reply.content(`\`\`\`markdown\n${filtered}\n\`\`\``))
      res = await call('/md', { url: article(), f: 'llm', q: 'only the measured costs of the headless shell' })
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json).toEqual({ url: article(), filter: 'llm', query: 'only the measured costs of the headless shell', cache: null, markdown: filtered, text: null, success: true })
    expect(sent).toHaveLength(1)
    const prompt = userPrompt(sent[0]!)
    expect(prompt).toContain('Instruction: only the measured costs of the headless shell')
    expect(prompt).toContain('## Why warm browsers win')
    expect(prompt).toContain('| Full Chromium | 511 | 188 |')
    expect(prompt).not.toContain('We use cookies')
  })

  it('the API key appears in no response and nowhere in the runner\'s output', async () => {
    // the file's earlier tests ran requests of every kind, including the key-echoing gateway
    expect(responses.length).toBeGreaterThanOrEqual(10)
    for (const r of responses) expect(r).not.toContain(API_KEY)
    const pressure = await call('/pressure')
    expect(pressure.text).not.toContain(API_KEY)
    const metrics = await (await fetch(`${runner.url}/metrics`)).text()
    expect(metrics).not.toContain(API_KEY)
    const openapi = await (await fetch(`${runner.url}/openapi.json`)).text()
    expect(openapi).not.toContain(API_KEY)
    // the runner did log (debug level), and the key is in none of it
    expect(runner.output().length).toBeGreaterThan(0)
    expect(runner.output()).not.toContain(API_KEY)
    // the key really was in use: every model request carried it
    expect(llm.requests.length).toBeGreaterThan(0)
    for (const r of llm.requests) expect(r.headers.authorization).toBe(`Bearer ${API_KEY}`)
  })
})
