import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { UrlRefusedError } from '../contract/errors.ts'

/** POSTs `body` to `url` and resolves with the HTTP status; throws on a refused URL, a network error or the timeout. */
export type SendWebhook = (url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number) => Promise<number>

/**
 * A webhook POST that connects to the address the URL policy checked, as the egress proxy does:
 * `resolveAllowed` resolves the host and refuses private addresses (UrlRefusedError), and the
 * connection's own lookup answers with that address, so a second DNS answer (rebinding) is never
 * used. TLS still verifies the certificate against the host name. Redirects are not followed.
 */
export function pinnedPost(resolveAllowed: (hostname: string, field: string) => Promise<string>): SendWebhook {
  return async (url, headers, body, timeoutMs) => {
    const target = new URL(url)
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new UrlRefusedError('scheme', `only http and https webhooks are sent, not ${target.protocol}`)
    const hostname = target.hostname.replace(/^\[|\]$/g, '')
    const address = await resolveAllowed(hostname, 'webhook_config.webhook_url')
    const family = address.includes(':') ? 6 : 4
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }])
      else callback(null, address, family)
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<number>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res: IncomingMessage) => {
          res.resume() // the receiver's answer body is not read, only its status
          res.once('end', () => resolve(res.statusCode ?? 0))
          res.once('error', reject)
        },
      )
      req.once('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`) : err))
      req.end(body)
    })
  }
}
