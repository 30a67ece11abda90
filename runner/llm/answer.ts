import { LlmFailedError, LlmNotConfiguredError } from '../contract/errors.ts'
import { compileSchema } from './json-schema.ts'
import type { LlmClient, ResponseFormat } from './openai-client.ts'
import { answerPrompt, filterPrompt } from './prompt.ts'

export interface AnswerInput {
  /** undefined when this deployment has no LLM */
  readonly client: LlmClient | undefined
  readonly pageMarkdown: string
  readonly url: string
  readonly question: string
  /** a JSON schema the answer must fit; the result is then `{ data }` */
  readonly schema?: Record<string, unknown>
  readonly signal: AbortSignal
  /**
   * checks the answer against the schema off the event loop, with a time limit (runner/workers):
   * a caller's `pattern` may backtrack for ever; @default - in this thread, for tests and tools
   */
  readonly checkSchema?: (schema: Record<string, unknown>, data: unknown) => Promise<string | null>
}

export function answerQuestion(input: AnswerInput & { schema: Record<string, unknown> }): Promise<{ data: unknown }>
export function answerQuestion(input: AnswerInput & { schema?: undefined }): Promise<{ answer: string }>
export function answerQuestion(input: AnswerInput): Promise<{ answer: string } | { data: unknown }>
export async function answerQuestion(input: AnswerInput): Promise<{ answer: string } | { data: unknown }> {
  const client = requireClient(input.client)
  const check = input.schema ? compileSchema(input.schema) : undefined // a bad schema fails before any tokens are spent
  const { messages } = answerPrompt({
    url: input.url,
    question: input.question,
    pageMarkdown: input.pageMarkdown,
    maxInputTokens: client.maxInputTokens,
    schema: input.schema,
  })
  if (!check || !input.schema) {
    const answer = (await client.complete({ messages }, input.signal)).trim()
    if (!answer) throw new LlmFailedError('the LLM returned an empty answer')
    return { answer }
  }
  const reply = await client.complete({ messages, responseFormat: responseFormat(client, input.schema) }, input.signal)
  const data = parseJsonReply(reply)
  const mismatch = await checkAnswer(input, input.schema, data, check)
  if (mismatch) throw new LlmFailedError(`the LLM's answer does not fit the schema: ${mismatch}`)
  return { data }
}

export interface FilterInput {
  readonly client: LlmClient | undefined
  readonly markdown: string
  readonly query: string
  readonly url: string
  readonly signal: AbortSignal
}

/** /md?f=llm: the parts of the page's Markdown that `query` asks for, as the model returns them ('' when none) */
export async function filterMarkdownWithLlm(input: FilterInput): Promise<string> {
  const client = requireClient(input.client)
  const { messages } = filterPrompt({ url: input.url, query: input.query, markdown: input.markdown, maxInputTokens: client.maxInputTokens })
  return unfence(await client.complete({ messages }, input.signal), 'markdown|md')
}

function requireClient(client: LlmClient | undefined): LlmClient {
  if (!client) throw new LlmNotConfiguredError()
  return client
}

function responseFormat(client: LlmClient, schema: Record<string, unknown>): ResponseFormat {
  // strict mode would reject most hand-written schemas (it wants additionalProperties: false everywhere)
  return client.jsonMode === 'json_schema' ? { type: 'json_schema', json_schema: { name: 'answer', schema, strict: false } } : { type: 'json_object' }
}

/** Models wrap JSON in a ``` fence now and then, even in JSON mode. */
function unfence(text: string, languages: string): string {
  const m = new RegExp(`^\\s*\`\`\`(?:${languages})?[ \\t]*\\n([\\s\\S]*?)\\n?\`\`\`\\s*$`, 'i').exec(text)
  return (m ? m[1]! : text).trim()
}

function parseJsonReply(reply: string): unknown {
  const text = unfence(reply, 'json')
  try {
    return JSON.parse(text)
  } catch (err) {
    const flat = text.replace(/\s+/g, ' ')
    throw new LlmFailedError(`the LLM's answer is not JSON (${(err as Error).message}): ${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty)'}`)
  }
}

async function checkAnswer(input: AnswerInput, schema: Record<string, unknown>, data: unknown, inThread: (data: unknown) => string | null): Promise<string | null> {
  if (!input.checkSchema) return inThread(data)
  try {
    return await input.checkSchema(schema, data)
  } catch (err) {
    if (input.signal.aborted) throw input.signal.reason
    throw new LlmFailedError(`the answer could not be checked against the schema: ${(err as Error).message}`)
  }
}
