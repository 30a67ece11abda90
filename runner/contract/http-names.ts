/** Header names shared by edge and runner. */
export const HEADER = {
  runnerId: 'x-runner-id',
  requestId: 'x-request-id',
  /** ms left of the caller's deadline when the request was sent (relative: clocks differ between hosts) */
  deadlineMs: 'x-crawlfleet-deadline-ms',
  hmac: 'x-crawlfleet-hmac',
  hmacTimestamp: 'x-crawlfleet-timestamp',
  /** set by CloudFront from a secret, so only requests through CloudFront and its WAF reach the edge */
  originSecret: 'x-crawlfleet-origin',
  /** runner load on every runner response: (running + queued) / page slots, e.g. "0.75" */
  load: 'x-crawlfleet-load',
  /**
   * edge → runner: "refuse at once (429 BUSIER_THAN_ALTERNATIVE) if your load is above this": the
   * load the other candidate reported; runner → edge, on that 429 only: the same value, so the edge
   * can tell its own bound from pressure
   */
  refuseAboveLoad: 'x-crawlfleet-refuse-above-load',
  /**
   * edge → runner: who is asking, as a non-reversible id of the API key (callerIdOf in
   * runner/contract/caller-id.ts); the runner's queue serves callers round-robin and limits each
   */
  caller: 'x-crawlfleet-caller',
  /** runner → client: a full-page screenshot was cut to the height or pixel bound ("height", "pixels") */
  screenshotClipped: 'x-crawlfleet-screenshot-clipped',
  /** edge → runner: the key the edge knows this runner by (a hash of its discovery id), written into job task ids */
  runnerKey: 'x-crawlfleet-runner-key',
  /** edge → runner: "1" when the load store already counts this request against this runner (it subtracts it when done) */
  storePick: 'x-crawlfleet-store-pick',
} as const
