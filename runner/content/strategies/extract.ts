import { own } from '../../contract/crawl4ai/serialization.ts'
import type { ExtractionStrategy } from '../../contract/crawl4ai/strategies.ts'
import { jsonExtract } from './json-extract.ts'
import { regexExtract } from './regex-extract.ts'

// Which text an extraction strategy reads (crawl4ai's input_format), and the strategies that need
// no LLM. Results are what crawl4ai puts in extracted_content: JSON text, indented by 4.

export interface ExtractionInputs {
  readonly html: string
  readonly cleaned_html: string
  readonly markdown: string
  readonly fit_markdown: string
  /** crawlfleet has no separate fit_html yet: the cleaned HTML stands in */
  readonly fit_html: string
  readonly text: string
}

export type InputFormat = keyof ExtractionInputs

const DEFAULT_FORMAT: Readonly<Record<string, InputFormat>> = {
  JsonCssExtractionStrategy: 'html',
  JsonXPathExtractionStrategy: 'html',
  JsonLxmlExtractionStrategy: 'html',
  RegexExtractionStrategy: 'fit_html',
  LLMExtractionStrategy: 'markdown',
}

export function inputOf(strategy: ExtractionStrategy, inputs: ExtractionInputs): string {
  const asked = (strategy.params as { input_format?: InputFormat }).input_format
  const format = asked ?? own(DEFAULT_FORMAT, strategy.type) ?? 'markdown'
  // crawl4ai falls back to the raw Markdown when fit Markdown is empty
  if (format === 'fit_markdown' && !inputs.fit_markdown) return inputs.markdown
  return inputs[format]
}

export const toExtractedContent = (value: unknown) => JSON.stringify(value, null, 4)

/** extracted_content for the strategies that run without an LLM; undefined for the LLM's */
export function extractWithoutLlm(strategy: ExtractionStrategy, url: string, pageUrl: string, inputs: ExtractionInputs): string | null | undefined {
  const input = inputOf(strategy, inputs)
  switch (strategy.type) {
    case 'JsonCssExtractionStrategy':
    case 'JsonLxmlExtractionStrategy':
      return toExtractedContent(jsonExtract('css', input, pageUrl, (strategy.params as { schema: never }).schema))
    case 'JsonXPathExtractionStrategy':
      return toExtractedContent(jsonExtract('xpath', input, pageUrl, (strategy.params as { schema: never }).schema))
    case 'RegexExtractionStrategy':
      return toExtractedContent(regexExtract(url, input, strategy.params as never))
    case 'NoExtractionStrategy':
      return null
    default:
      return undefined
  }
}
