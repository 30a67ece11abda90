import { z } from '@hono/zod-openapi'
import { DeepCrawlStrategy } from './deep-crawl.ts'
import { c4aClass, c4aDict, c4aEnum, c4aList, type Refusals } from './serialization.ts'
import {
  CacheMode,
  ChunkingStrategy,
  ExtractionStrategy,
  MarkdownGenerator,
  ScrapingStrategy,
  TableExtraction,
} from './strategies.ts'

// crawl4ai's CrawlerRunConfig (async_configs.py), field for field: what crawlfleet does with each
// one is in docs/crawl4ai-compat.md. Unknown fields are a 400; refused ones say why.

export const MAX_PAGE_TIMEOUT_MS = 120_000
const WAIT_UNTIL = ['load', 'domcontentloaded', 'networkidle', 'commit'] as const
/** crawl4ai's default list for exclude_social_media_links (config.py SOCIAL_MEDIA_DOMAINS) */
export const SOCIAL_MEDIA_DOMAINS = [
  'facebook.com', 'twitter.com', 'x.com', 'linkedin.com', 'instagram.com', 'pinterest.com', 'tiktok.com',
  'snapchat.com', 'reddit.com',
] as const

const NO_SESSIONS = 'crawlfleet keeps no sessions: every request gets a fresh context, so there is no earlier page to continue'
const NO_DISGUISE = 'crawlfleet does not disguise its browser: navigator overrides and simulated input to get past bot detection are not served'

export const CRAWLER_REFUSALS: Refusals = {
  session_id: NO_SESSIONS,
  js_only: (v) => (v === true ? `${NO_SESSIONS} (js_only runs scripts on a page kept from an earlier request)` : undefined),
  magic: (v) => (v === true ? NO_DISGUISE : undefined),
  simulate_user: (v) => (v === true ? NO_DISGUISE : undefined),
  override_navigator: (v) => (v === true ? NO_DISGUISE : undefined),
  proxy_config: 'a proxy is a launch option here: set browser_config.proxy_config',
  proxy_rotation_strategy: 'a proxy is a launch option here: set browser_config.proxy_config',
  proxy_session_id: 'a proxy is a launch option here: set browser_config.proxy_config',
  proxy_session_ttl: 'a proxy is a launch option here: set browser_config.proxy_config',
  proxy_session_auto_release: (v) => (v === true ? 'a proxy is a launch option here: set browser_config.proxy_config' : undefined),
  c4a_script: 'the C4A-Script language is not served: use js_code',
  fallback_fetch_function: 'functions cannot be sent over HTTP',
  link_preview_config: 'link previews (fetching the head of every linked page) are not served',
  virtual_scroll_config: 'virtual scroll capture is not served: use scan_full_page',
  flatten_shadow_dom: (v) => (v === true ? 'shadow DOM flattening is not served yet' : undefined),
  base_url: 'base_url is for raw: HTML, which is not served (every URL is fetched by the browser)',
  user_agent_mode: (v) => (v ? 'random user agents are not served: set user_agent' : undefined),
  method: (v) => (typeof v === 'string' && v.toUpperCase() !== 'GET' ? 'the browser navigates with GET only' : undefined),
  max_retries: (v) => (typeof v === 'number' && v > 0 ? 'retries are the client\'s (the edge already moves a refused request to another runner)' : undefined),
}

export const GeolocationConfig = c4aClass('GeolocationConfig', {
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  accuracy: z.number().min(0).optional(),
})

const script = z.string().max(100_000)
/** one script or a list; always a list after parsing */
const jsCode = z.union([script, c4aList(script, 32)]).transform((v) => (typeof v === 'string' ? [v] : v))
const selectorList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), c4aList(z.string().min(1).max(2000), 50))
const seconds = (max: number) => z.number().min(0).max(max)

export const crawlerRunShape = {
  // content selection and cleaning
  word_count_threshold: z.number().int().min(0).max(10_000).optional(),
  extraction_strategy: ExtractionStrategy.optional(),
  chunking_strategy: ChunkingStrategy.optional(),
  markdown_generator: MarkdownGenerator.optional(),
  only_text: z.boolean().optional(),
  css_selector: z.string().min(1).max(2000).optional(),
  target_elements: selectorList.optional(),
  excluded_tags: c4aList(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,40}$/, 'must be a tag name'), 100).optional(),
  excluded_selector: z.string().max(2000).optional(),
  keep_data_attributes: z.boolean().optional(),
  keep_attrs: c4aList(z.string().max(100), 100).optional(),
  remove_forms: z.boolean().optional(),
  prettiify: z.boolean().optional(),
  parser_type: z.string().max(20).optional(),
  scraping_strategy: ScrapingStrategy.optional(),
  // identity and location (context options)
  locale: z.string().min(2).max(35).optional(),
  timezone_id: z.string().min(1).max(64).optional(),
  geolocation: GeolocationConfig.optional(),
  user_agent: z.string().min(1).max(1024).optional(),
  user_agent_generator_config: c4aDict(z.object({}).strict()).optional(),
  // cache: accepted, there is no cache here
  cache_mode: CacheMode.optional(),
  bypass_cache: z.boolean().optional(),
  disable_cache: z.boolean().optional(),
  no_cache_read: z.boolean().optional(),
  no_cache_write: z.boolean().optional(),
  check_cache_freshness: z.boolean().optional(),
  cache_validation_timeout: z.number().min(0).optional(),
  fetch_ssl_certificate: z.boolean().optional(),
  shared_data: c4aDict(z.record(z.string(), z.unknown())).optional(),
  // navigation and timing
  wait_until: z.enum(WAIT_UNTIL).optional(),
  page_timeout: z.number().int().min(1).max(MAX_PAGE_TIMEOUT_MS).optional(),
  wait_for: z.string().min(1).max(4096).optional(),
  wait_for_timeout: z.number().int().min(1).max(MAX_PAGE_TIMEOUT_MS).optional(),
  wait_for_images: z.boolean().optional(),
  delay_before_return_html: seconds(60).optional(),
  mean_delay: z.number().min(0).optional(),
  max_range: z.number().min(0).optional(),
  semaphore_count: z.number().int().min(1).optional(),
  // page interaction
  js_code: jsCode.optional(),
  js_code_before_wait: jsCode.optional(),
  js_only: z.boolean().optional(),
  ignore_body_visibility: z.boolean().optional(),
  scan_full_page: z.boolean().optional(),
  scroll_delay: seconds(10).optional(),
  max_scroll_steps: z.number().int().min(1).max(1000).optional(),
  process_iframes: z.boolean().optional(),
  flatten_shadow_dom: z.boolean().optional(),
  remove_overlay_elements: z.boolean().optional(),
  remove_consent_popups: z.boolean().optional(),
  simulate_user: z.boolean().optional(),
  override_navigator: z.boolean().optional(),
  magic: z.boolean().optional(),
  adjust_viewport_to_content: z.boolean().optional(),
  // media
  screenshot: z.boolean().optional(),
  screenshot_wait_for: seconds(30).optional(),
  screenshot_height_threshold: z.number().int().min(0).optional(),
  force_viewport_screenshot: z.boolean().optional(),
  pdf: z.boolean().optional(),
  capture_mhtml: z.boolean().optional(),
  image_description_min_word_threshold: z.number().int().min(0).optional(),
  image_score_threshold: z.number().optional(),
  table_score_threshold: z.number().min(-100).max(100).optional(),
  table_extraction: TableExtraction.optional(),
  exclude_external_images: z.boolean().optional(),
  exclude_all_images: z.boolean().optional(),
  // links
  exclude_social_media_domains: c4aList(z.string().min(1).max(253), 500).optional(),
  exclude_external_links: z.boolean().optional(),
  exclude_social_media_links: z.boolean().optional(),
  exclude_domains: c4aList(z.string().min(1).max(253), 500).optional(),
  exclude_internal_links: z.boolean().optional(),
  score_links: z.boolean().optional(),
  preserve_https_for_internal_links: z.boolean().optional(),
  // logging and capture
  verbose: z.boolean().optional(),
  log_console: z.boolean().optional(),
  capture_network_requests: z.boolean().optional(),
  capture_console_messages: z.boolean().optional(),
  // connection
  method: z.string().max(10).optional(),
  stream: z.boolean().optional(),
  prefetch: z.boolean().optional(),
  process_in_browser: z.boolean().optional(),
  url: z.string().max(8192).optional(),
  check_robots_txt: z.boolean().optional(),
  // deep crawl: orchestrated by the edge
  deep_crawl_strategy: DeepCrawlStrategy.optional(),
  url_matcher: z.unknown().optional(),
  match_mode: c4aEnum('MatchMode', ['or', 'and']).optional(),
  experimental: c4aDict(z.record(z.string(), z.unknown())).optional(),
  max_retries: z.number().int().min(0).optional(),
  // the refused ones: listed so that the refusal, not "unknown field", answers
  session_id: z.unknown().optional(),
  c4a_script: z.unknown().optional(),
  proxy_config: z.unknown().optional(),
  proxy_rotation_strategy: z.unknown().optional(),
  proxy_session_id: z.unknown().optional(),
  proxy_session_ttl: z.unknown().optional(),
  proxy_session_auto_release: z.boolean().optional(),
  fallback_fetch_function: z.unknown().optional(),
  link_preview_config: z.unknown().optional(),
  virtual_scroll_config: z.unknown().optional(),
  base_url: z.unknown().optional(),
  user_agent_mode: z.string().max(20).optional(),
}

export const CrawlerRunConfig = c4aClass('CrawlerRunConfig', crawlerRunShape, {
  refusals: CRAWLER_REFUSALS,
  description: "crawl4ai's CrawlerRunConfig: a plain object or {\"type\": \"CrawlerRunConfig\", \"params\"}; dicts may come as {\"type\": \"dict\", \"value\"}, null means unset",
})
export type CrawlerRunConfig = z.output<typeof CrawlerRunConfig>
