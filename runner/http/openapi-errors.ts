import { ERRORS, type ErrorCode, type ErrorStatus } from '../contract/errors.ts'
import { ErrorResponse } from '../contract/request-schemas.ts'

/** What any page route may answer besides its result; a route adds its own (the LLM ones). */
export const PAGE_ROUTE_ERRORS: readonly ErrorCode[] = [
  'INVALID_FIELD',
  'API_KEY_MISSING',
  'UNSIGNED',
  'API_KEY_WRONG',
  'URL_REFUSED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'QUEUE_FULL',
  'INTERNAL',
  'TARGET_FAILED',
  'QUEUE_TIMEOUT',
  'MEMORY_PRESSURE',
  'DRAINING',
  'BROWSER_CRASHED',
  'NO_RUNNER',
  'PAGE_TIMEOUT',
]

/** OpenAPI responses for these error codes, one per status, each describing its codes from ERRORS. */
export function errorResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<ErrorStatus, ErrorCode[]>()
  for (const code of codes) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code])
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((code) => `${code}: ${ERRORS[code].when}`).join('; '),
        content: { 'application/json': { schema: ErrorResponse } },
      },
    ]),
  )
}
