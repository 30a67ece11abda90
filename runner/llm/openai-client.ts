import { LlmFailedError } from '../contract/errors.ts'
import type { JsonMode, LlmConfig } from './config.ts'

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant'
  readonly content: string
}

export type ResponseFormat =
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly json_schema: { readonly name: string; readonly schema: object; readonly strict?: boolean } }

export interface ChatRequest {
  readonly messages: readonly ChatMessage[]
  readonly responseFormat?: ResponseFormat
}

/** An OpenAI-compatible chat model. The API key stays inside the client; nothing here exposes it. */
export interface LlmClient {
  readonly model: string
  readonly maxInputTokens: number
  readonly jsonMode: JsonMode
  /** the first choice's message content; LlmFailedError for anything else, the caller's abort reason when `signal` fires */
  complete(request: ChatRequest, signal: AbortSignal): Promise<string>
}

const SNIPPET_CHARS = 300

export function createOpenAiClient(config: LlmConfig, deps: { fetch?: typeof fetch } = {}): LlmClient {
  const doFetch = deps.fetch ?? fetch
  const endpoint = `${config.baseUrl}/chat/completions`
  const { apiKey } = config
  // A gateway may echo the key back ("invalid key sk-…"), so every text that reaches an error is scrubbed.
  const redact = (text: string) => {
    const scrubbed = text.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    return apiKey ? scrubbed.split(apiKey).join('[redacted]') : scrubbed
  }
  const fail = (message: string) => new LlmFailedError(redact(message))

  async function complete(request: ChatRequest, signal: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(config.timeoutMs)
    const body: Record<string, unknown> = { model: config.model, messages: request.messages }
    if (request.responseFormat) body.response_format = request.responseFormat
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
    if (apiKey) headers.authorization = `Bearer ${apiKey}`
    let status: number
    let text: string
    try {
      const res = await doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) })
      status = res.status
      text = await res.text()
    } catch (err) {
      if (signal.aborted) throw signal.reason
      if (timeout.aborted) throw fail(`the LLM did not answer within ${config.timeoutMs} ms`)
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw fail(`the LLM at ${new URL(endpoint).origin} could not be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`)
    }
    if (status < 200 || status > 299) throw fail(`the LLM answered HTTP ${status}: ${errorDetail(text)}`)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw fail(`the LLM's response is not JSON: ${snippet(text)}`)
    }
    const content = (parsed as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message?.content
    if (typeof content !== 'string') throw fail(`the LLM's response has no choices[0].message.content: ${snippet(text)}`)
    return content
  }

  return { model: config.model, maxInputTokens: config.maxInputTokens, jsonMode: config.jsonMode, complete }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat || '(empty body)'
}

/** OpenAI-style `{error: {message}}` when the server sent one, else the start of the body */
function errorDetail(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } })?.error?.message
    if (typeof message === 'string') return snippet(message)
  } catch {
    // not JSON: the raw text is all there is
  }
  return snippet(text)
}
