import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidFieldError, LlmFailedError, LlmNotConfiguredError } from '../../../runner/contract/errors.ts'
import { answerQuestion, filterMarkdownWithLlm } from '../../../runner/llm/answer.ts'
import type { LlmConfig } from '../../../runner/llm/config.ts'
import { createOpenAiClient, type LlmClient } from '../../../runner/llm/openai-client.ts'
import { reply, startFakeOpenAi, type FakeOpenAi } from '../../helpers/fake-openai.ts'

const KEY = 'sk-test-Zq81VbB2-never-show-me'
const PAGE = '# Opening hours\n\nThe Fleet Café opens at 07:30 on weekdays and serves oat-milk flat whites for 3.20 EUR.'
const URL_ = 'https://cafe.example/hours'
const SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, price: { type: 'number' } },
  required: ['name', 'price'],
  additionalProperties: false,
}

let fake: FakeOpenAi
let config: LlmConfig
let client: LlmClient
const signal = () => new AbortController().signal

beforeAll(async () => {
  fake = await startFakeOpenAi()
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.clearScript()
  config = { baseUrl: fake.baseUrl, model: 'fleet-test-model', apiKey: KEY, maxInputTokens: 8000, timeoutMs: 5000, jsonMode: 'json_schema' }
  client = createOpenAiClient(config)
})

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('answerQuestion without a schema', () => {
  it('sends the page and the question, and returns the answer', async () => {
    fake.script(reply.content('  It opens at 07:30 on weekdays.  '))
    const seen = fake.requests.length
    const result = await answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'When does it open?', signal: signal() })
    expect(result).toEqual({ answer: 'It opens at 07:30 on weekdays.' })
    const req = fake.requests[seen]!
    expect(req.path).toBe('/v1/chat/completions')
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(req.body.model).toBe('fleet-test-model')
    expect(req.body.response_format).toBeUndefined()
    const prompt = req.body.messages.map((m: { content: string }) => m.content).join('\n')
    expect(prompt).toContain('The Fleet Café opens at 07:30 on weekdays')
    expect(prompt).toContain('When does it open?')
    expect(prompt).toContain(URL_)
  })

  it('refuses an empty answer', async () => {
    fake.script(reply.content('   '))
    expect(await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', signal: signal() }))).toBeInstanceOf(LlmFailedError)
  })

  it('trims a long page to the token budget, keeping its start', async () => {
    client = createOpenAiClient({ ...config, maxInputTokens: 600 })
    const page = `FIRST-PARAGRAPH\n\n${'filler words for the budget. '.repeat(2000)}\n\nLAST-PARAGRAPH`
    const seen = fake.requests.length
    await answerQuestion({ client, pageMarkdown: page, url: URL_, question: 'q?', signal: signal() })
    const chars = fake.requests[seen]!.body.messages.reduce((n: number, m: { content: string }) => n + m.content.length, 0)
    const user = fake.requests[seen]!.body.messages[1].content as string
    expect(chars).toBeLessThanOrEqual(600 * 4)
    expect(user).toContain('FIRST-PARAGRAPH')
    expect(user).not.toContain('LAST-PARAGRAPH')
    expect(user).toContain('the rest of the page was cut')
  })
})

describe('answerQuestion with a schema', () => {
  it('returns data that fits, asking for json_schema output', async () => {
    fake.script(reply.json({ name: 'flat white', price: 3.2 }))
    const seen = fake.requests.length
    const result = await answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'Price of a flat white?', schema: SCHEMA, signal: signal() })
    expect(result).toEqual({ data: { name: 'flat white', price: 3.2 } })
    expect(fake.requests[seen]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: SCHEMA, strict: false } })
  })

  it('asks for json_object when the server only has that', async () => {
    client = createOpenAiClient({ ...config, jsonMode: 'json_object' })
    fake.script(reply.content('```json\n{"name": "tea", "price": 2}\n```'))
    const seen = fake.requests.length
    const result = await answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: SCHEMA, signal: signal() })
    expect(result).toEqual({ data: { name: 'tea', price: 2 } })
    expect(fake.requests[seen]!.body.response_format).toEqual({ type: 'json_object' })
    expect(fake.requests[seen]!.body.messages[0].content).toContain(JSON.stringify(SCHEMA))
  })

  it('names the field when the data does not fit', async () => {
    fake.script(reply.json({ name: 'flat white', price: 'three twenty' }))
    const err = await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: SCHEMA, signal: signal() }))
    expect(err).toBeInstanceOf(LlmFailedError)
    expect((err as LlmFailedError).status).toBe(502)
    expect(err.message).toContain('price: must be number')
  })

  it('names a missing and an unexpected property', async () => {
    fake.script(reply.json({ price: 1, colour: 'brown' }))
    const err = await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: SCHEMA, signal: signal() }))
    expect(err.message).toContain('name: is required')
    expect(err.message).toContain('colour: is not allowed')
  })

  it('fails when the answer is not JSON at all', async () => {
    fake.script(reply.content('The price is 3.20 EUR.'))
    const err = await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: SCHEMA, signal: signal() }))
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toContain('not JSON')
  })

  it('refuses a schema that does not compile before calling the LLM', async () => {
    const seen = fake.requests.length
    const err = await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: { type: 'no-such-type' }, signal: signal() }))
    expect(err).toBeInstanceOf(InvalidFieldError)
    expect((err as InvalidFieldError).field).toBe('schema')
    expect(fake.requests.length).toBe(seen)
  })

  it('compiles the same $id twice (schemas are not kept between requests)', async () => {
    const withId = { ...SCHEMA, $id: 'https://schemas.example/drink' }
    for (let i = 0; i < 2; i++) {
      fake.script(reply.json({ name: 'mocha', price: 4 }))
      expect(await answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema: withId, signal: signal() })).toEqual({ data: { name: 'mocha', price: 4 } })
    }
  })

  it('reads a 2020-12 schema', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }], items: false }
    fake.script(reply.json(['a', 'b']))
    const err = await failure(answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', schema, signal: signal() }))
    expect(err.message).toContain('(root): must NOT have more than 1 items')
  })
})

describe('LLM failures', () => {
  const ask = () => answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', signal: signal() })

  it('turns an HTTP 500 into LlmFailedError with the server message', async () => {
    fake.script(reply.error(500, 'the model is overloaded'))
    const err = await failure(ask())
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toBe('the LLM answered HTTP 500: the model is overloaded')
  })

  it('turns a body that is not JSON into LlmFailedError', async () => {
    fake.script(reply.garbage())
    const err = await failure(ask())
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toContain("the LLM's response is not JSON")
  })

  it('turns JSON without choices into LlmFailedError', async () => {
    fake.script(reply.raw(200, '{"object": "chat.completion", "choices": []}'))
    expect((await failure(ask())).message).toContain('no choices[0].message.content')
  })

  it('gives up after the timeout', async () => {
    client = createOpenAiClient({ ...config, timeoutMs: 150 })
    fake.script(reply.hang())
    const err = await failure(ask())
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toBe('the LLM did not answer within 150 ms')
  })

  it('reports an unreachable server', async () => {
    const gone = await startFakeOpenAi()
    await gone.close()
    client = createOpenAiClient({ ...config, baseUrl: gone.baseUrl })
    const err = await failure(ask())
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toMatch(/could not be reached: ECONNREFUSED/)
  })

  it("rejects with the caller's reason when the caller aborts", async () => {
    fake.script(reply.hang())
    const ac = new AbortController()
    const reason = new Error('client went away')
    const arrived = fake.nextRequest()
    const pending = answerQuestion({ client, pageMarkdown: PAGE, url: URL_, question: 'q?', signal: ac.signal })
    await arrived
    ac.abort(reason)
    expect(await failure(pending)).toBe(reason)
  })

  it('never shows the API key, even when the server echoes it', async () => {
    fake.script(reply.error(401, `Incorrect API key provided: ${KEY}. Header was Bearer ${KEY}`))
    const seen = fake.requests.length
    const err = await failure(ask())
    expect(fake.requests[seen]!.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(err).toBeInstanceOf(LlmFailedError)
    expect(err.message).toContain('HTTP 401: Incorrect API key provided: [redacted]')
    expect(err.message).not.toContain(KEY)
    expect(JSON.stringify((err as LlmFailedError).toBody())).not.toContain(KEY)
    expect(String(err.stack)).not.toContain(KEY)
  })

  it('sends no Authorization header without a key', async () => {
    client = createOpenAiClient({ ...config, apiKey: undefined })
    const seen = fake.requests.length
    await ask()
    expect(fake.requests[seen]!.headers.authorization).toBeUndefined()
  })
})

describe('without an LLM', () => {
  it('answerQuestion throws LlmNotConfiguredError (501)', async () => {
    const err = await failure(answerQuestion({ client: undefined, pageMarkdown: PAGE, url: URL_, question: 'q?', signal: signal() }))
    expect(err).toBeInstanceOf(LlmNotConfiguredError)
    expect((err as LlmNotConfiguredError).status).toBe(501)
  })

  it('filterMarkdownWithLlm throws LlmNotConfiguredError', async () => {
    expect(await failure(filterMarkdownWithLlm({ client: undefined, markdown: PAGE, query: 'prices', url: URL_, signal: signal() }))).toBeInstanceOf(LlmNotConfiguredError)
  })
})

describe('filterMarkdownWithLlm', () => {
  it('sends the Markdown and the instruction, and returns the kept Markdown', async () => {
    fake.script(reply.content('```markdown\n# Opening hours\n\nOpens at 07:30.\n```'))
    const seen = fake.requests.length
    const md = await filterMarkdownWithLlm({ client, markdown: PAGE, query: 'only the opening hours', url: URL_, signal: signal() })
    expect(md).toBe('# Opening hours\n\nOpens at 07:30.')
    const user = fake.requests[seen]!.body.messages[1].content as string
    expect(user).toContain('oat-milk flat whites for 3.20 EUR')
    expect(user).toContain('Instruction: only the opening hours')
  })
})
