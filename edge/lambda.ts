import { streamHandle } from 'hono/aws-lambda'
import { createEdgeApp } from './app.ts'
import { cloudDeps } from './cloud-deps.ts'
import { readEdgeConfig } from './config.ts'

// AWS Lambda entry (Function URL, payload v2, RESPONSE_STREAM): screenshots, PDFs and NDJSON
// stream through as the runner sends them. Secrets are read on first use, once per cold start.
export const handler = streamHandle(createEdgeApp(cloudDeps(readEdgeConfig(process.env))))
