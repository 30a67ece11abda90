import { z } from '@hono/zod-openapi'
import { c4aClass, c4aData, c4aDict, c4aEnum, c4aList, c4aOneOf, decodeData, type Refusals } from './serialization.ts'

// crawl4ai's strategy objects that a CrawlerRunConfig carries: extraction, Markdown generation and
// its content filters, tables, chunking and scraping. Only the shapes live here (shared with the
// edge); the work is in runner/content/strategies/ and runner/llm/.

const LLM_CONFIG_REFUSALS: Refusals = {
  api_token: 'the LLM is configured on the deployment (CRAWLFLEET_LLM_*); a request cannot bring its own key',
  base_url: 'the LLM is configured on the deployment (CRAWLFLEET_LLM_*); a request cannot choose another endpoint',
}

/** crawl4ai's LLMConfig. The deployment's model answers: `provider` is accepted and not used to pick one. */
export const LlmConfig = c4aClass(
  'LLMConfig',
  {
    provider: z.string().max(200).optional().openapi({ description: "accepted; the deployment's configured model answers" }),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(100_000).optional(),
    // accepted, no effect: the client's own retry policy applies
    top_p: z.number().optional(),
    frequency_penalty: z.number().optional(),
    presence_penalty: z.number().optional(),
    stop: c4aList(z.string(), 4).optional(),
    n: z.literal(1).optional(),
    backoff_base_delay: z.number().optional(),
    backoff_max_attempts: z.number().optional(),
    backoff_exponential_factor: z.number().optional(),
  },
  { refusals: LLM_CONFIG_REFUSALS },
)
export type LlmConfig = z.infer<typeof LlmConfig>

const DEPRECATED_LLM_KEYS: Refusals = {
  provider: 'use llm_config (the deployment\'s model answers)',
  api_token: LLM_CONFIG_REFUSALS.api_token as string,
  base_url: LLM_CONFIG_REFUSALS.base_url as string,
  api_base: LLM_CONFIG_REFUSALS.base_url as string,
  extra_args: 'per-call LLM arguments are not served; use llm_config.temperature / max_tokens',
}

// ── JSON extraction schemas (JsonCss / JsonXPath) ────────────────────────────────────────────────

export const FIELD_TYPES = ['text', 'attribute', 'html', 'regex', 'nested', 'list', 'nested_list', 'computed'] as const

export interface SchemaField {
  name: string
  selector?: string
  type: (typeof FIELD_TYPES)[number] | (typeof FIELD_TYPES)[number][]
  attribute?: string
  pattern?: string
  group?: number
  fields?: SchemaField[]
  default?: unknown
  transform?: string
  source?: string
}

// Loose like crawl4ai (LLM-written schemas carry extra keys), but every key it reads is checked, to
// a nesting depth of 6; deeper fields are taken as they are (the extractor treats a bad one as absent).
// Not a recursive schema: the OpenAPI document and its tools stay finite.
const MAX_FIELD_DEPTH = 3
function fieldAt(depth: number): z.ZodType<SchemaField> {
  return z.looseObject({
    name: z.string().min(1).max(200),
    selector: z.string().min(1).max(2000).optional(),
    type: z.union([z.enum(FIELD_TYPES), z.array(z.enum(FIELD_TYPES)).min(1).max(8)]),
    attribute: z.string().max(200).optional(),
    pattern: z.string().max(2000).optional(),
    group: z.number().int().min(0).max(99).optional(),
    fields: z
      .array(depth < MAX_FIELD_DEPTH ? fieldAt(depth + 1) : z.record(z.string(), z.unknown()))
      .max(200)
      .optional()
      // documented one level deep: a nested field has the same keys as this one
      .openapi({ items: { type: 'object', description: 'a field with the same keys as this one' } } as never),
    default: z.unknown().optional(),
    transform: z.string().max(40).optional(),
    source: z.string().max(200).optional(),
  }) as unknown as z.ZodType<SchemaField>
}
const Field = fieldAt(1)

export const ExtractionSchema = c4aDict(
  z.looseObject({
    name: z.string().max(200).optional(),
    baseSelector: z.string().min(1).max(2000),
    baseFields: z.array(Field).max(200).optional(),
    fields: z.array(Field).max(500),
  }),
).openapi('ExtractionSchema', { description: 'crawl4ai\'s schema: baseSelector, fields (text, attribute, html, regex, nested, list, nested_list), baseFields' })
export type ExtractionSchema = z.infer<typeof ExtractionSchema>

const jsonElementShape = {
  schema: ExtractionSchema,
  input_format: z.literal('html').optional(),
  verbose: z.boolean().optional(),
}

export const JsonCssExtraction = c4aClass('JsonCssExtractionStrategy', jsonElementShape)
export const JsonXPathExtraction = c4aClass('JsonXPathExtractionStrategy', jsonElementShape)
export const JsonLxmlExtraction = c4aClass('JsonLxmlExtractionStrategy', jsonElementShape)

// ── Regex ─────────────────────────────────────────────────────────────────────────────────────────

/** crawl4ai's built-in patterns in the order of its IntFlag (bit i is pattern i) */
export const REGEX_PATTERN_NAMES = [
  'email', 'phone_intl', 'phone_us', 'url', 'ipv4', 'ipv6', 'uuid', 'currency', 'percentage', 'number', 'date_iso',
  'date_us', 'time_24h', 'postal_us', 'postal_uk', 'html_color_hex', 'twitter_handle', 'hashtag', 'mac_addr', 'iban', 'credit_card',
] as const
export const REGEX_ALL = (1 << REGEX_PATTERN_NAMES.length) - 1

/** `pattern`: the IntFlag's integer (Email | Url = 9), its {"type": "_B", "params": n} serialisation, or names. */
const RegexPattern = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && 'params' in v ? (v as { params: unknown }).params : decodeData(v)),
  z.union([
    z.number().int().min(0),
    z.string().min(1).max(40),
    z.array(z.string().min(1).max(40)).max(REGEX_PATTERN_NAMES.length + 1),
  ]),
)

export const RegexExtraction = c4aClass('RegexExtractionStrategy', {
  pattern: RegexPattern.optional(),
  custom: z
    .preprocess((v) => {
      const d = decodeData(v)
      return Array.isArray(d) ? Object.fromEntries(d as [string, string][]) : d
    }, z.record(z.string().min(1).max(100), z.string().min(1).max(2000)))
    .optional(),
  input_format: z.enum(['fit_html', 'html', 'cleaned_html', 'markdown', 'fit_markdown', 'text']).optional(),
  verbose: z.boolean().optional(),
})

// ── LLM extraction ────────────────────────────────────────────────────────────────────────────────

export const LlmExtraction = c4aClass(
  'LLMExtractionStrategy',
  {
    llm_config: LlmConfig.optional(),
    instruction: z.string().max(20_000).optional(),
    schema: c4aData.pipe(z.record(z.string(), z.unknown())).optional(),
    extraction_type: z.enum(['schema', 'block']).optional(),
    chunk_token_threshold: z.number().int().min(64).max(1_000_000).optional(),
    overlap_rate: z.number().min(0).max(0.5).optional(),
    word_token_rate: z.number().min(0.1).max(10).optional(),
    apply_chunking: z.boolean().optional(),
    input_format: z.enum(['markdown', 'fit_markdown', 'html', 'cleaned_html', 'fit_html']).optional(),
    force_json_response: z.boolean().optional(),
    verbose: z.boolean().optional(),
  },
  { refusals: DEPRECATED_LLM_KEYS },
)

export const ExtractionStrategy = c4aOneOf('extraction_strategy', {
  JsonCssExtractionStrategy: JsonCssExtraction,
  JsonXPathExtractionStrategy: JsonXPathExtraction,
  JsonLxmlExtractionStrategy: JsonLxmlExtraction,
  RegexExtractionStrategy: RegexExtraction,
  LLMExtractionStrategy: LlmExtraction,
  NoExtractionStrategy: c4aClass('NoExtractionStrategy', {}),
}).openapi({ description: 'JsonCssExtractionStrategy, JsonXPathExtractionStrategy, RegexExtractionStrategy or LLMExtractionStrategy, as {"type", "params"}' })
export type ExtractionStrategy = z.output<typeof ExtractionStrategy>

// ── Markdown: content filters and the generator ──────────────────────────────────────────────────

export const PruningFilter = c4aClass('PruningContentFilter', {
  user_query: z.string().max(2000).optional(),
  min_word_threshold: z.number().int().min(0).max(10_000).optional(),
  threshold_type: z.enum(['fixed', 'dynamic']).optional(),
  threshold: z.number().min(0).max(10).optional(),
  preserve_classes: c4aList(z.string().max(200), 100).optional(),
  preserve_tags: c4aList(z.string().max(40), 100).optional(),
})

export const Bm25Filter = c4aClass('BM25ContentFilter', {
  user_query: z.string().max(2000).optional(),
  bm25_threshold: z.number().min(0).max(1000).optional(),
  language: z.string().max(40).optional(),
  use_stemming: z.boolean().optional(),
})

export const LlmFilter = c4aClass(
  'LLMContentFilter',
  {
    llm_config: LlmConfig.optional(),
    instruction: z.string().max(20_000).optional(),
    chunk_token_threshold: z.number().int().min(64).max(1e9).optional(),
    overlap_rate: z.number().min(0).max(0.5).optional(),
    word_token_rate: z.number().min(0.1).max(10).optional(),
    verbose: z.boolean().optional(),
    ignore_cache: z.boolean().optional(),
  },
  { refusals: DEPRECATED_LLM_KEYS },
)

export const ContentFilter = c4aOneOf('content_filter', {
  PruningContentFilter: PruningFilter,
  BM25ContentFilter: Bm25Filter,
  LLMContentFilter: LlmFilter,
})
export type ContentFilter = z.output<typeof ContentFilter>

/** html2text options crawl4ai's DefaultMarkdownGenerator passes on; the ones with an effect here are implemented */
export const MarkdownOptions = c4aDict(
  z
    .object({
      ignore_links: z.boolean().optional(),
      ignore_images: z.boolean().optional(),
      ignore_emphasis: z.boolean().optional(),
      skip_internal_links: z.boolean().optional(),
      citations: z.boolean().optional(),
      // accepted, no effect: crawlfleet never wraps lines and always escapes what Markdown needs
      body_width: z.number().int().min(0).optional(),
      escape_html: z.boolean().optional(),
      escape_snob: z.boolean().optional(),
      protect_links: z.boolean().optional(),
      single_line_break: z.boolean().optional(),
      mark_code: z.boolean().optional(),
      include_sup_sub: z.boolean().optional(),
      handle_code_in_pre: z.boolean().optional(),
    })
    .strict(),
)

export const MarkdownGenerator = c4aClass('DefaultMarkdownGenerator', {
  content_filter: ContentFilter.optional(),
  options: MarkdownOptions.optional(),
  content_source: z.enum(['cleaned_html', 'raw_html', 'fit_html']).optional(),
  verbose: z.boolean().optional(),
})
export type MarkdownGenerator = z.output<typeof MarkdownGenerator>

// ── tables, chunking, scraping ────────────────────────────────────────────────────────────────────

export const TableExtraction = c4aOneOf('table_extraction', {
  DefaultTableExtraction: c4aClass('DefaultTableExtraction', {
    table_score_threshold: z.number().min(-100).max(100).optional(),
    min_rows: z.number().int().min(0).optional(),
    min_cols: z.number().int().min(0).optional(),
    verbose: z.boolean().optional(),
  }),
  NoTableExtraction: c4aClass('NoTableExtraction', { verbose: z.boolean().optional() }),
})
export type TableExtraction = z.output<typeof TableExtraction>

/** Accepted: crawlfleet splits text for an LLM by paragraphs under its token budget. */
export const ChunkingStrategy = c4aOneOf('chunking_strategy', {
  RegexChunking: c4aClass('RegexChunking', { patterns: c4aList(z.string().max(200), 20).optional() }),
  IdentityChunking: c4aClass('IdentityChunking', {}),
})

/** Accepted: crawlfleet's own HTML processing does the scraping. */
export const ScrapingStrategy = c4aOneOf('scraping_strategy', {
  LXMLWebScrapingStrategy: c4aClass('LXMLWebScrapingStrategy', {}),
  WebScrapingStrategy: c4aClass('WebScrapingStrategy', {}),
})

export const CacheMode = c4aEnum('CacheMode', ['enabled', 'disabled', 'read_only', 'write_only', 'bypass', 'smart'])
