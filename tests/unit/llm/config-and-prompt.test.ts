import { describe, expect, it } from 'vitest'
import { InvalidFieldError } from '../../../runner/contract/errors.ts'
import { readRunnerConfig } from '../../../runner/config.ts'
import { answerPrompt, CHARS_PER_TOKEN, estimateTokens, trimToTokens } from '../../../runner/llm/prompt.ts'

/** the LLM part of the runner's config: the CRAWLFLEET_LLM_* settings */
const readLlmConfig = (env: Record<string, string>) => readRunnerConfig(env).llm

describe('the LLM settings', () => {
  it('is undefined when no LLM is configured', () => {
    expect(readLlmConfig({})).toBeUndefined()
    expect(readLlmConfig({ CRAWLFLEET_LLM_BASE_URL: 'http://127.0.0.1:1/v1' })).toBeUndefined()
    expect(readLlmConfig({ CRAWLFLEET_LLM_MODEL: 'm' })).toBeUndefined()
  })

  it('reads the variables with their defaults', () => {
    expect(readLlmConfig({ CRAWLFLEET_LLM_BASE_URL: 'https://llm.example/v1/', CRAWLFLEET_LLM_MODEL: 'm', CRAWLFLEET_LLM_API_KEY: 'k' })).toEqual({
      baseUrl: 'https://llm.example/v1',
      model: 'm',
      apiKey: 'k',
      maxInputTokens: 8000,
      timeoutMs: 60_000,
      jsonMode: 'json_schema',
    })
    expect(
      readLlmConfig({
        CRAWLFLEET_LLM_BASE_URL: 'http://127.0.0.1:8000/v1',
        CRAWLFLEET_LLM_MODEL: 'm',
        CRAWLFLEET_LLM_MAX_INPUT_TOKENS: '32000',
        CRAWLFLEET_LLM_TIMEOUT_MS: '1500',
        CRAWLFLEET_LLM_JSON_MODE: 'json_object',
      }),
    ).toMatchObject({ apiKey: undefined, maxInputTokens: 32000, timeoutMs: 1500, jsonMode: 'json_object' })
  })

  it('names the variable that is wrong', () => {
    expect(() => readLlmConfig({ CRAWLFLEET_LLM_BASE_URL: 'ftp://x', CRAWLFLEET_LLM_MODEL: 'm' })).toThrow(/CRAWLFLEET_LLM_BASE_URL/)
    expect(() => readLlmConfig({ CRAWLFLEET_LLM_BASE_URL: 'http://x', CRAWLFLEET_LLM_MODEL: 'm', CRAWLFLEET_LLM_MAX_INPUT_TOKENS: 'lots' })).toThrow(
      /CRAWLFLEET_LLM_MAX_INPUT_TOKENS/,
    )
    expect(() => readLlmConfig({ CRAWLFLEET_LLM_BASE_URL: 'http://x', CRAWLFLEET_LLM_MODEL: 'm', CRAWLFLEET_LLM_JSON_MODE: 'yaml' })).toThrow(
      /CRAWLFLEET_LLM_JSON_MODE/,
    )
  })
})

describe('token budget', () => {
  it('estimates four characters per token', () => {
    expect(CHARS_PER_TOKEN).toBe(4)
    expect(estimateTokens('')).toBe(0)
    expect(estimateTokens('abcde')).toBe(2)
  })

  it('leaves text within the budget alone', () => {
    expect(trimToTokens('short', 10)).toEqual({ text: 'short', trimmed: false })
  })

  it('cuts at a paragraph break near the limit', () => {
    const text = `${'a'.repeat(300)}\n\n${'b'.repeat(300)}`
    const out = trimToTokens(text, 100)
    expect(out.trimmed).toBe(true)
    expect(out.text.length).toBeLessThanOrEqual(400)
    expect(out.text.startsWith('a'.repeat(300))).toBe(true)
    expect(out.text).not.toContain('bbb')
    expect(out.text).toContain('the rest of the page was cut')
  })

  it('refuses a question that leaves no room for the page, naming the field', () => {
    try {
      answerPrompt({ url: 'https://x.example/', question: 'q'.repeat(4000), pageMarkdown: 'page', maxInputTokens: 256 })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidFieldError)
      expect((err as InvalidFieldError).field).toBe('q')
    }
  })
})
