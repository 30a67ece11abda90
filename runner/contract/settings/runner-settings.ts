import { allowCidrs, hmacSecret, loadStoreUrl, logLevel } from './common.ts'
import { optional, parse, setting, type Setting, type SettingsOf } from './define.ts'

/**
 * Every setting of a runner process (`npm run runner`, each runner of `npm start`, the Fargate task).
 * `runner/config.ts` is the only reader; the README's table and the CDK stack's task environment
 * come from here. `operator: true` marks what a deployer may set through CDK context
 * (`-c crawlfleet:<key>=<value>`).
 */
export const RUNNER_SETTINGS = {
  port: setting({ env: 'PORT', fallback: 11235, doc: 'listen port (0: any free port)', parse: parse.int({ min: 0, max: 65535 }) }),
  host: setting({ env: 'CRAWLFLEET_HOST', fallback: '127.0.0.1', doc: 'listen address (`0.0.0.0` in the container image)', parse: parse.text }),
  runnerId: optional({ env: 'CRAWLFLEET_RUNNER_ID', defaultText: '`<hostname>:<port>`', doc: 'sent back as `X-Runner-Id`', parse: parse.text }),
  hmacSecret,
  allowCidrs,
  loadStoreUrl,
  advertisedHost: optional({
    env: 'CRAWLFLEET_ADVERTISED_HOST',
    defaultText: 'the first non-loopback IPv4 address',
    doc: 'with a load store: the address edges know this runner by (their discovery\'s `<ip>`); the runner publishes its load as `<this>:<listening port>`',
    parse: parse.text,
  }),
  chromiumPath: optional({
    env: 'CRAWLFLEET_CHROMIUM_PATH',
    defaultText: 'found',
    doc: "browser executable; otherwise Playwright's, then Debian's `chromium-headless-shell`, then `chromium`",
    parse: parse.text,
  }),
  chromiumSandbox: setting({
    env: 'CRAWLFLEET_CHROMIUM_SANDBOX',
    fallback: 'auto' as 'auto' | 'on' | 'off',
    doc: "Chromium's sandbox: `auto` is on when the runner is not root (and falls back once, with a warning, where the platform has none)",
    parse: parse.oneOf('auto', 'on', 'off'),
  }),
  chromiumNice: operator(
    setting({
      env: 'CRAWLFLEET_CHROMIUM_NICE',
      fallback: 3,
      doc: "how much nicer than the runner the permanent (default) browser's processes run, from its start (0: at the runner's own priority): on a saturated CPU the runner's event loop (accepting, admitting, answering) goes before the pages. 3 measured on 2 cores: under 500 clients the client's p99 0.4–0.5 s above the runner's own timing, against 2.3–4.8 s at 0; 5 slowed a flood of launch variants' default requests 2 × (README, Under load)",
      parse: parse.int({ min: 0, max: 19 }),
    }),
  ),
  pooledChromiumNice: operator(
    setting({
      env: 'CRAWLFLEET_POOLED_CHROMIUM_NICE',
      fallback: 19,
      doc: "the same for the launch variants' browsers (hot and cold pools), so that on a saturated CPU the default browser's pages go first. 19 measured on 2 cores, default requests beside a flood of 48 requests over 24 `--lang` variants: their p99 1.5–1.7 × its quiet value (10: 1.9–2.7 ×, 14: 1.6–2.4 ×; every browser at 3: 4.9–7.2 ×); the cost, a variant request beside default requests that fill every page slot: median 0.9–1.5 s, against 0.4–0.6 s at 3 (README, Memory)",
      parse: parse.int({ min: 0, max: 19 }),
    }),
  ),
  logLevel: { ...logLevel, operator: true },
  promoteAfterUses: operator(setting({ env: 'CRAWLFLEET_PROMOTE_AFTER_USES', fallback: 3, doc: 'a cold browser becomes hot on this use', parse: parse.int({ min: 1 }) })),
  maxPagesPerBrowser: operator(setting({ env: 'CRAWLFLEET_MAX_PAGES_PER_BROWSER', fallback: 500, doc: 'recycle a browser after this many pages', parse: parse.int({ min: 1 }) })),
  maxBrowserAgeSec: operator(setting({ env: 'CRAWLFLEET_MAX_BROWSER_AGE_SEC', fallback: 1800, doc: '… or after this long', parse: parse.int({ min: 1 }) })),
  memoryGatePct: operator(
    setting({
      env: 'CRAWLFLEET_MEMORY_GATE_PCT',
      fallback: 85,
      doc: 'no launch at or above this memory use, after evicting idle browsers (503)',
      parse: parse.number({ min: 1, max: 100 }),
    }),
  ),
  pagesPerCore: operator(
    setting({
      env: 'CRAWLFLEET_PAGES_PER_CORE',
      fallback: 8,
      doc: "page slots per CPU core (the container's quota, not the host's); 8 measured on 2 cores: crawl4ai's 100 × 200 level served in full (4 refused 38 %); the runner lowers them when its event loop lags (README, Under load)",
      parse: parse.number({ min: 0.25 }),
    }),
  ),
  adaptSlots: operator(
    setting({
      env: 'CRAWLFLEET_ADAPT_SLOTS',
      fallback: 'on' as 'on' | 'off',
      doc: "`on`: fewer page slots while the runner's event loop is delayed (p99 > 150 ms a second), back up to the plan while it is healthy and the slots are in use",
      parse: parse.oneOf('on', 'off'),
    }),
  ),
  queueWaitMs: operator(
    setting({
      env: 'CRAWLFLEET_QUEUE_WAIT_MS',
      fallback: 10_000,
      doc: "a request is queued while its predicted wait (work ahead × measured slot time ÷ slots) fits this and its own deadline; past it, 429 `QUEUE_FULL` with an honest `Retry-After`",
      parse: parse.int({ min: 1 }),
    }),
  ),
  maxQueued: operator(
    optional({
      env: 'CRAWLFLEET_MAX_QUEUED',
      defaultText: 'by memory',
      doc: 'hard cap on queued requests (0: from the memory budget, 1 MiB a request, at least 8 a slot)',
      parse: (t) => parse.int({ min: 0 })(t) || undefined,
    }),
  ),
  maxQueuedPerCaller: operator(
    optional({
      env: 'CRAWLFLEET_MAX_QUEUED_PER_CALLER',
      defaultText: 'half the queue',
      doc: 'queued requests of one caller (the edge passes a caller id derived from the API key); callers are served round-robin',
      parse: (t) => parse.int({ min: 0 })(t) || undefined,
    }),
  ),
  maxResponseBytes: operator(
    setting({
      env: 'CRAWLFLEET_MAX_RESPONSE_BYTES',
      fallback: 32 * 1024 * 1024,
      doc: 'largest screenshot or PDF answer, in bytes as sent (base64 in JSON); larger: 413 `RESPONSE_TOO_LARGE`',
      parse: parse.int({ min: 1024 * 1024 }),
    }),
  ),
  maxCrawlBytes: operator(
    setting({
      env: 'CRAWLFLEET_MAX_CRAWL_BYTES',
      fallback: 64 * 1024 * 1024,
      doc: 'largest `/crawl` answer (all results together, as JSON); larger: 413 `RESPONSE_TOO_LARGE` (`/crawl/stream` sends results one by one)',
      parse: parse.int({ min: 1024 * 1024 }),
    }),
  ),
  maxBrowsers: operator(
    optional({ env: 'CRAWLFLEET_MAX_BROWSERS', defaultText: 'by memory', doc: 'cap on hot + cold browsers (0: by memory)', parse: (t) => parse.int({ min: 0 })(t) || undefined }),
  ),
  janitorIntervalSec: operator(
    setting({
      env: 'CRAWLFLEET_JANITOR_INTERVAL_SEC',
      fallback: [60, 30, 10] as const,
      doc: 'janitor interval at LOW, MEDIUM, HIGH memory pressure (< 60 %, < 80 %, ≥ 80 %)',
      parse: parse.perLevel,
    }),
  ),
  coldTtlSec: operator(
    setting({ env: 'CRAWLFLEET_COLD_TTL_SEC', fallback: [300, 60, 30] as const, doc: 'idle time before a cold browser closes, per pressure level', parse: parse.perLevel }),
  ),
  hotTtlSec: operator(
    setting({ env: 'CRAWLFLEET_HOT_TTL_SEC', fallback: [600, 300, 120] as const, doc: 'idle time before a hot browser closes, per pressure level', parse: parse.perLevel }),
  ),
  warmSpares: operator(
    setting({
      env: 'CRAWLFLEET_WARM_SPARES',
      fallback: 1,
      doc: 'ready, never-used pages kept per busy browser for default-context requests (0 = off)',
      parse: parse.int({ min: 0, max: 4 }),
    }),
  ),
  spareIdleSec: operator(
    setting({
      env: 'CRAWLFLEET_SPARE_IDLE_SEC',
      fallback: 60,
      doc: "a browser's warm spares close after it has been idle this long (they cost ~17 MB each); the next request makes them again",
      parse: parse.int({ min: 1 }),
    }),
  ),
  debugEndpoints: setting({
    env: 'CRAWLFLEET_DEBUG_ENDPOINTS',
    fallback: 'off' as 'on' | 'off',
    doc: '`on` adds `POST /debug/gc` (a full GC, then memory use) and `POST /debug/heap-snapshot` (written to the temp directory), signed like `/pressure`; for leak hunts, never in production',
    parse: parse.oneOf('on', 'off'),
  }),
  dnsServers: setting({
    env: 'CRAWLFLEET_DNS_SERVERS',
    fallback: [] as readonly string[],
    defaultText: 'the system\'s',
    doc: "the egress proxy's nameservers, `ip` or `ip:port`, comma-separated",
    parse: parse.list,
  }),
  dnsTimeoutMs: setting({ env: 'CRAWLFLEET_DNS_TIMEOUT_MS', fallback: 1000, doc: 'DNS timeout per try (timeout × tries bounds one lookup)', parse: parse.int({ min: 50, max: 30_000 }) }),
  dnsTries: setting({ env: 'CRAWLFLEET_DNS_TRIES', fallback: 2, doc: 'DNS tries per lookup', parse: parse.int({ min: 1, max: 5 }) }),
  dnsMinTtlSec: setting({ env: 'CRAWLFLEET_DNS_MIN_TTL_SEC', fallback: 5, doc: 'an answer is cached at least this long', parse: parse.int({ min: 0, max: 3600 }) }),
  dnsMaxTtlSec: setting({ env: 'CRAWLFLEET_DNS_MAX_TTL_SEC', fallback: 300, doc: 'and at most this long, whatever its TTL', parse: parse.int({ min: 1, max: 86_400 }) }),
  dnsNegativeTtlSec: setting({ env: 'CRAWLFLEET_DNS_NEGATIVE_TTL_SEC', fallback: 15, doc: 'how long a failed lookup is remembered', parse: parse.int({ min: 0, max: 3600 }) }),
  stopTimeoutMs: setting({ env: 'CRAWLFLEET_STOP_TIMEOUT_MS', fallback: 100_000, doc: 'how long SIGTERM waits for in-flight work', parse: parse.int({ min: 1 }) }),
  llmBaseUrl: optional({
    env: 'CRAWLFLEET_LLM_BASE_URL',
    doc: 'any OpenAI-compatible chat API root (`…/v1`); with `CRAWLFLEET_LLM_MODEL` unset too, `/llm` and `/md?f=llm` answer 501',
    parse: parse.httpUrl,
  }),
  llmModel: optional({ env: 'CRAWLFLEET_LLM_MODEL', doc: 'the model name sent to the LLM API', parse: parse.text }),
  llmApiKey: optional({ env: 'CRAWLFLEET_LLM_API_KEY', doc: 'sent as a Bearer token; never logged or returned', parse: parse.text }),
  llmMaxInputTokens: setting({
    env: 'CRAWLFLEET_LLM_MAX_INPUT_TOKENS',
    fallback: 8000,
    doc: 'page text is trimmed to this budget (≈ 4 characters a token)',
    parse: parse.int({ min: 256 }),
  }),
  llmTimeoutMs: setting({ env: 'CRAWLFLEET_LLM_TIMEOUT_MS', fallback: 60_000, doc: 'per LLM call', parse: parse.int({ min: 1 }) }),
  llmJsonMode: setting({
    env: 'CRAWLFLEET_LLM_JSON_MODE',
    fallback: 'json_schema' as 'json_schema' | 'json_object',
    doc: '`json_object` for servers without structured outputs',
    parse: parse.oneOf('json_schema', 'json_object'),
  }),
  jobTtlSec: setting({
    env: 'CRAWLFLEET_JOB_TTL_SEC',
    fallback: 3600,
    doc: "how long a finished job's status and result stay readable (`GET /crawl/job/{task_id}`); then 404 `JOB_NOT_FOUND`",
    parse: parse.int({ min: 10, max: 7 * 86_400 }),
  }),
  jobStoreBytes: setting({
    env: 'CRAWLFLEET_JOB_STORE_BYTES',
    fallback: 128 * 1024 * 1024,
    doc: "job results a runner holds in memory, in bytes of JSON; a result that does not fit fails its job, and a full store refuses new jobs (429 `JOBS_FULL`)",
    parse: parse.int({ min: 1024 * 1024 }),
  }),
  jobsMax: setting({ env: 'CRAWLFLEET_JOBS_MAX', fallback: 32, doc: 'unfinished jobs (pending or processing) a runner holds; more: 429 `JOBS_FULL`', parse: parse.int({ min: 1, max: 10_000 }) }),
  jobsRunning: setting({
    env: 'CRAWLFLEET_JOBS_RUNNING',
    fallback: 2,
    doc: 'jobs a runner works on at once (each with half its page slots); the others wait as `pending`',
    parse: parse.int({ min: 1, max: 64 }),
  }),
  webhookSecret: optional({
    env: 'CRAWLFLEET_WEBHOOK_SECRET',
    doc: 'signs job webhooks ([Standard Webhooks](https://www.standardwebhooks.com/): `webhook-id`, `webhook-timestamp`, `webhook-signature`); `whsec_` + base64 of 24 to 64 random bytes; unset: a job with `webhook_config` gets 501',
    parse: parse.webhookSecret,
  }),
  webhookAttempts: setting({ env: 'CRAWLFLEET_WEBHOOK_ATTEMPTS', fallback: 5, doc: 'webhook deliveries tried per job (on a network error, 408, 429 or 5xx)', parse: parse.int({ min: 1, max: 20 }) }),
  webhookRetryMs: setting({
    env: 'CRAWLFLEET_WEBHOOK_RETRY_MS',
    fallback: 1000,
    doc: 'wait before the second webhook attempt; it doubles for each further one, up to 60 s',
    parse: parse.int({ min: 1, max: 60_000 }),
  }),
  webhookTimeoutMs: setting({ env: 'CRAWLFLEET_WEBHOOK_TIMEOUT_MS', fallback: 10_000, doc: 'per webhook attempt', parse: parse.int({ min: 100, max: 120_000 }) }),
  awsRegion: optional({ env: 'AWS_REGION', doc: 'set by AWS; when set, pool metrics go to CloudWatch', parse: parse.text }),
  awsDefaultRegion: optional({ env: 'AWS_DEFAULT_REGION', doc: 'read when `AWS_REGION` is unset', parse: parse.text }),
  cloudwatch: setting({ env: 'CRAWLFLEET_CLOUDWATCH', fallback: 'on' as 'on' | 'off', doc: '`off` stops CloudWatch publishing even with a region', parse: parse.oneOf('on', 'off') }),
  metricsService: setting({ env: 'CRAWLFLEET_METRICS_SERVICE', fallback: 'crawlfleet', doc: 'the CloudWatch `Service` dimension', parse: parse.text }),
  cloudwatchPeriodSec: setting({
    env: 'CRAWLFLEET_CLOUDWATCH_PERIOD_SEC',
    fallback: 60,
    doc: 'CloudWatch publishing period',
    parse: parse.int({ min: 10, max: 3600 }),
  }),
  ecsMetadataUri: optional({
    env: 'ECS_CONTAINER_METADATA_URI_V4',
    doc: "set by ECS; the task's CPU and memory limits are read from it first",
    parse: parse.httpUrl,
  }),
} as const satisfies Readonly<Record<string, Setting<unknown> & { operator?: boolean }>>

export type RunnerSettings = SettingsOf<typeof RUNNER_SETTINGS>
export type RunnerSettingKey = keyof typeof RUNNER_SETTINGS

/** The settings a deployer may give through CDK context. */
export function operatorSettings(): [RunnerSettingKey, Setting<unknown>][] {
  return (Object.entries(RUNNER_SETTINGS) as [RunnerSettingKey, Setting<unknown> & { operator?: boolean }][]).filter(([, s]) => s.operator)
}

function operator<T>(s: Setting<T>): Setting<T> & { readonly operator: true } {
  return { ...s, operator: true }
}
