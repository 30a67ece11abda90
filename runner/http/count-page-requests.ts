import type { MiddlewareHandler } from 'hono'
import { HEADER } from '../contract/http-names.ts'

/**
 * Tells the runner each page request it holds, from its arrival until its answer has been sent
 * (a streamed answer, /crawl/stream's, ends when its last line is read or the client leaves):
 * `begin` gets whether the load store already counts it (the edge picked this runner there), and
 * returns what to call when it ends (runner/contract/load-store.ts).
 */
export function countPageRequests(begin: (storePick: boolean) => () => void): MiddlewareHandler {
  return async function countPageRequests(c, next) {
    let ending: (() => void) | undefined = begin(c.req.header(HEADER.storePick) === '1')
    const end = () => {
      ending?.()
      ending = undefined
    }
    try {
      await next()
    } catch (err) {
      end()
      throw err
    }
    c.res = endWhenSent(c.res, end)
  }
}

function endWhenSent(res: Response, end: () => void): Response {
  if (!res.body) {
    end()
    return res
  }
  const reader = res.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) {
          end()
          controller.close()
        } else controller.enqueue(value)
      } catch (err) {
        end()
        controller.error(err)
      }
    },
    cancel(reason) {
      end()
      return reader.cancel(reason)
    },
  })
  return new Response(body, res)
}
