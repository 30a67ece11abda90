import { createHmac, timingSafeEqual } from 'node:crypto'

// Job webhooks are signed as Standard Webhooks (www.standardwebhooks.com) sign them, so a receiver can
// check them with any of its libraries: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the decoded
// secret, sent as `webhook-signature: v1,<base64>` with `webhook-id` and `webhook-timestamp` (unix s).

export const WEBHOOK_HEADER = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const

/** a receiver should refuse a delivery whose timestamp is further than this from its clock */
export const WEBHOOK_TOLERANCE_SEC = 300

export function signWebhook(key: Buffer, id: string, timestampSec: number, body: string): Record<string, string> {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')
  return { [WEBHOOK_HEADER.id]: id, [WEBHOOK_HEADER.timestamp]: String(timestampSec), [WEBHOOK_HEADER.signature]: `v1,${mac}` }
}

/** True when the headers carry a fresh, valid signature of `body` (any of a space-separated list, as the spec allows). */
export function verifyWebhook(key: Buffer, headers: Readonly<Record<string, string | undefined>>, body: string, nowSec: number): boolean {
  const id = headers[WEBHOOK_HEADER.id]
  const ts = Number(headers[WEBHOOK_HEADER.timestamp])
  const given = headers[WEBHOOK_HEADER.signature]
  if (!id || !given || !Number.isInteger(ts) || Math.abs(nowSec - ts) > WEBHOOK_TOLERANCE_SEC) return false
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest()
  return given.split(' ').some((part) => {
    const [version, b64] = part.split(',')
    if (version !== 'v1' || !b64) return false
    const mac = Buffer.from(b64, 'base64')
    return mac.length === expected.length && timingSafeEqual(mac, expected)
  })
}
