import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'

// A real OpenAI-compatible chat-completions server on loopback, the one stand-in for an outside
// service: it records every request and answers from a script (content, an HTTP error, a body that
// is not JSON, or no answer at all).

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** the parsed JSON body, or the raw text when it was not JSON */
  readonly body: any
}

export type FakeReply =
  | { readonly kind: 'content'; readonly content: string }
  | { readonly kind: 'error'; readonly status: number; readonly message: string }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'hang' }

export const reply = {
  content: (content: string): FakeReply => ({ kind: 'content', content }),
  json: (value: unknown): FakeReply => ({ kind: 'content', content: JSON.stringify(value) }),
  error: (status: number, message = 'scripted failure'): FakeReply => ({ kind: 'error', status, message }),
  garbage: (body = '{"choices": [ this is not json'): FakeReply => ({ kind: 'raw', status: 200, body, contentType: 'application/json' }),
  raw: (status: number, body: string, contentType = 'application/json'): FakeReply => ({ kind: 'raw', status, body, contentType }),
  /** never answers; the socket is destroyed when the server closes */
  hang: (): FakeReply => ({ kind: 'hang' }),
}

export interface FakeOpenAi {
  /** what CRAWLFLEET_LLM_BASE_URL would be: `http://127.0.0.1:<port>/v1` */
  readonly baseUrl: string
  readonly requests: readonly RecordedRequest[]
  /** replies for the next requests, in order; after they run out, `fallback` answers */
  script(...replies: FakeReply[]): void
  /** drops replies that no request used */
  clearScript(): void
  /** resolves when the next request has arrived (and been recorded) */
  nextRequest(): Promise<RecordedRequest>
  close(): Promise<void>
}

export async function startFakeOpenAi(o: { fallback?: FakeReply } = {}): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = []
  const queue: FakeReply[] = []
  const fallback = o.fallback ?? reply.content('scripted answer')
  const waiters: ((r: RecordedRequest) => void)[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // kept as text so a test can see what arrived
      }
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }
      requests.push(recorded)
      for (const w of waiters.splice(0)) w(recorded)
      const send = (status: number, payload: string, contentType = 'application/json') => {
        res.writeHead(status, { 'content-type': contentType })
        res.end(payload)
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return send(404, JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }))
      }
      const r = queue.shift() ?? fallback
      switch (r.kind) {
        case 'hang':
          return
        case 'raw':
          return send(r.status, r.body, r.contentType)
        case 'error':
          return send(r.status, JSON.stringify({ error: { message: r.message, type: 'server_error', code: null } }))
        case 'content':
          return send(
            200,
            JSON.stringify({
              id: `chatcmpl-${requests.length}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: (body as { model?: string })?.model ?? 'fake',
              choices: [{ index: 0, message: { role: 'assistant', content: r.content }, finish_reason: 'stop' }],
              usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: Math.ceil(r.content.length / 4), total_tokens: 0 },
            }),
          )
      }
    })
  })
  const listener = await listenOnLoopback(server)
  const { port } = listener
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => void queue.push(...replies),
    clearScript: () => void queue.splice(0),
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: listener.close,
  }
}
