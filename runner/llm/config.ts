export type JsonMode = 'json_schema' | 'json_object'

/** An OpenAI-compatible chat API; built by runner/config.ts from the CRAWLFLEET_LLM_* settings. */
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
