// The only reader of context and environment. Without credentials the CLI sets no account and
// maybe no region: the stack stays account-agnostic and defaults to us-east-1, so synth runs offline.
import { App } from 'aws-cdk-lib'
import { CrawlfleetStack } from '../lib/crawlfleet-stack.ts'
import { RateLimitStack } from '../lib/rate-limit-stack.ts'
import { deployTarget, readSettings } from '../lib/settings.ts'

const app = new App()
const settings = readSettings(app.node)
const env = deployTarget(process.env)
if (settings.rateLimitStackOnly) new RateLimitStack(app, 'CrawlfleetRateLimit', { env, limitPer5Min: settings.publicEntry.rateLimitPer5Min })
else new CrawlfleetStack(app, settings.stackName, { env, settings })
