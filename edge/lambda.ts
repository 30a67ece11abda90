import { streamHandle } from 'hono/aws-lambda'
import { createEdgeApp } from './app.ts'
import { cloudDeps } from './cloud-deps.ts'
import { readEdgeConfig } from './config.ts'

// AWS Lambda entry (Function URL, payload v2, RESPONSE_STREAM): screenshots, PDFs and NDJSON
// stream through as the runner sends them. Secrets, the runner list and the SDK itself are loaded
// on first use, once per cold start. hono/aws-lambda's streamHandle is marked deprecated in favour
// of @hono/aws-lambda, which the npm registry does not have yet (404): move when it is published.
export const handler = streamHandle(createEdgeApp(cloudDeps(readEdgeConfig(process.env))))
