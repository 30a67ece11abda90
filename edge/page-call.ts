import type { z } from '@hono/zod-openapi'
import { browserRequestOf } from '../runner/contract/browser-request.ts'
import { InvalidFieldError } from '../runner/contract/errors.ts'
import { urlFromLlmPath } from '../runner/contract/llm-path.ts'
import { PAGE_ROUTE_BODIES, type PagePath } from '../runner/contract/page-routes.ts'
import { LlmRequest } from '../runner/contract/request-schemas.ts'
import { parseOrThrow } from '../runner/contract/validate.ts'
import type { UrlPolicy } from '../runner/contract/url-policy/check-url.ts'

/** Validates a page request and its URLs; returns the browser signature that routes it. */
export async function admitPageCall(route: PagePath, bytes: Uint8Array, policy: UrlPolicy): Promise<string> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new InvalidFieldError('body', 'is not valid JSON')
  }
  const input = parseOrThrow(PAGE_ROUTE_BODIES[route] as z.ZodType, json) as { url?: string; urls?: string[] } & Parameters<typeof browserRequestOf>[0]
  const targets = input.urls ? input.urls.map((url, i) => ({ url, field: `urls.${i}` })) : [{ url: input.url ?? '', field: 'url' }]
  await checkUrls(policy, targets)
  return browserRequestOf(input).signature
}

/** crawl4ai's `GET /llm/{url}?q=…`: the URL is the rest of the path, https:// when it has no scheme. */
export async function admitLlmPath(pathname: string, query: URLSearchParams, policy: UrlPolicy): Promise<string> {
  const input = parseOrThrow(LlmRequest, { url: urlFromLlmPath(pathname), q: query.get('q') ?? undefined })
  await checkUrls(policy, [{ url: input.url, field: 'url' }])
  return browserRequestOf(input).signature
}

/** Checked together (DNS in parallel); the error names the first refused field in body order. */
export async function checkUrls(policy: UrlPolicy, targets: readonly { url: string; field: string }[]): Promise<void> {
  const results = await Promise.allSettled(targets.map((t) => policy.check(t.url, t.field)))
  const refused = results.find((r) => r.status === 'rejected')
  if (refused) throw refused.reason
}
