import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { countPageRequests } from '../../../runner/http/count-page-requests.ts'

// The load store's count of page requests: from arrival until the answer has been sent.

function app(handler: () => Response | Promise<Response>) {
  const events: string[] = []
  let held = 0
  const a = new Hono()
  a.use('/page', countPageRequests((storePick) => {
    held++
    events.push(`begin ${storePick ? 'picked' : 'unpicked'}`)
    return () => {
      held--
      events.push('end')
    }
  }))
  a.post('/page', () => handler())
  return { a, events, held: () => held }
}

describe('counting page requests for the load store', () => {
  it('holds a streamed answer until its last chunk is read, and says whether the store picked it', async () => {
    let push!: (text: string | null) => void
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => (text === null ? controller.close() : controller.enqueue(new TextEncoder().encode(text)))
      },
    })
    const { a, events, held } = app(() => new Response(stream))
    const res = await a.request('/page', { method: 'POST', headers: { 'x-crawlfleet-store-pick': '1' } })
    const reader = res.body!.getReader()
    push('line 1\n')
    await reader.read()
    expect(held()).toBe(1)
    push(null)
    expect((await reader.read()).done).toBe(true)
    expect(held()).toBe(0)
    expect(events).toEqual(['begin picked', 'end'])
  })

  it('ends a request whose client stops reading, and an error or a plain answer once it has been read', async () => {
    const never = new ReadableStream<Uint8Array>({ pull() {} })
    const streamed = app(() => new Response(never))
    const res = await streamed.a.request('/page', { method: 'POST' })
    expect(streamed.held()).toBe(1)
    await res.body!.cancel()
    expect(streamed.held()).toBe(0)

    const failing = app(() => {
      throw new Error('boom')
    })
    const error = await failing.a.request('/page', { method: 'POST' })
    expect(error.status).toBe(500)
    await error.text()
    expect(failing.events).toEqual(['begin unpicked', 'end'])

    const plain = app(() => Response.json({ ok: true }))
    const answer = await plain.a.request('/page', { method: 'POST' })
    expect(await answer.json()).toEqual({ ok: true })
    expect(plain.events).toEqual(['begin unpicked', 'end'])
  })
})
