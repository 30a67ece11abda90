import { EnvReader } from '../util/env.ts'

export type JsonMode = 'json_schema' | 'json_object'

export interface LlmConfig {
  /** the API root that `/chat/completions` is appended to, e.g. https://api.openai.com/v1 */
  readonly baseUrl: string
  readonly model: string
  /** sent as `Authorization: Bearer`; unset for local servers that take none */
  readonly apiKey: string | undefined
  /** the page text is trimmed so the whole prompt stays under this estimate */
  readonly maxInputTokens: number
  readonly timeoutMs: number
  /** json_schema (OpenAI structured outputs) or json_object, which more compatible servers accept */
  readonly jsonMode: JsonMode
}

/** undefined when no LLM is configured: CRAWLFLEET_LLM_BASE_URL or CRAWLFLEET_LLM_MODEL is unset */
export function readLlmConfig(env: Record<string, string | undefined>): LlmConfig | undefined {
  const e = new EnvReader(env)
  const baseUrl = e.string('CRAWLFLEET_LLM_BASE_URL')
  const model = e.string('CRAWLFLEET_LLM_MODEL')
  if (!baseUrl || !model) return undefined
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new Error(`CRAWLFLEET_LLM_BASE_URL must be an http(s) URL, got "${baseUrl}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`CRAWLFLEET_LLM_BASE_URL must be an http(s) URL, got "${baseUrl}"`)
  const jsonMode = e.string('CRAWLFLEET_LLM_JSON_MODE', 'json_schema')
  if (jsonMode !== 'json_schema' && jsonMode !== 'json_object') {
    throw new Error(`CRAWLFLEET_LLM_JSON_MODE must be json_schema or json_object, got "${jsonMode}"`)
  }
  return {
    baseUrl: url.href.replace(/\/+$/, ''),
    model,
    apiKey: e.string('CRAWLFLEET_LLM_API_KEY'),
    maxInputTokens: e.int('CRAWLFLEET_LLM_MAX_INPUT_TOKENS', 8000, { min: 256 }),
    timeoutMs: e.int('CRAWLFLEET_LLM_TIMEOUT_MS', 60_000, { min: 1 }),
    jsonMode,
  }
}
