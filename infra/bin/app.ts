// The only reader of context and environment. Without credentials the CLI sets no account and
// maybe no region: the stack stays account-agnostic and defaults to us-east-1, so synth runs offline.
// cdk-nag runs at synthesis: an unacknowledged AwsSolutions error fails `npm run synth`.
import { createApp } from '../lib/crawlfleet-app.ts'
import { CrawlfleetStack } from '../lib/crawlfleet-stack.ts'
import { RateLimitStack } from '../lib/rate-limit-stack.ts'
import { deployTarget, readSettings } from '../lib/settings.ts'

const app = createApp()
const settings = readSettings(app.node)
const env = deployTarget(process.env)
if (settings.rateLimitStackOnly) new RateLimitStack(app, 'CrawlfleetRateLimit', {
    env,
    limitPer5Min: settings.publicEntry.rateLimitPer5Min,
    limitPerKeyPer5Min: settings.publicEntry.rateLimitPerKeyPer5Min,
    logRetention: settings.logRetentionDays,
  })
else new CrawlfleetStack(app, settings.stackName, { env, settings })
