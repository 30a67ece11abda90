import type { MiddlewareHandler } from 'hono'
import { HEADER } from '../contract/http-names.ts'

/**
 * Tells the runner each page request it holds, from its arrival until its answer: `begin` gets
 * whether the load store already counts it (the edge picked this runner there), and returns what
 * to call when it ends (runner/contract/load-store.ts).
 */
export function countPageRequests(begin: (storePick: boolean) => () => void): MiddlewareHandler {
  return async function countPageRequests(c, next) {
    const end = begin(c.req.header(HEADER.storePick) === '1')
    try {
      await next()
    } finally {
      end()
    }
  }
}
