import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'

// The local site the tests render: static pages from tests/fixtures/site plus a few dynamic
// routes for timing and failure cases. Every request is recorded, so a test can prove that a
// refused URL never reached its target.

const SITE_DIR = fileURLToPath(new URL('../fixtures/site/', import.meta.url))
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html',
  '.png': 'image/png',
  '.json': 'application/json',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
}
// 1×1 transparent PNG
const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

export interface FixtureSite {
  readonly url: string
  readonly port: number
  readonly requests: readonly string[]
  /** resolves when a request whose path starts with `prefix` arrives */
  waitForRequest(prefix: string): Promise<void>
  close(): Promise<void>
}

export async function startFixtureSite(host = '127.0.0.1'): Promise<FixtureSite> {
  const requests: string[] = []
  const waiters: { prefix: string; resolve: () => void }[] = []
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push(path)
    for (const w of waiters.filter((w) => path.startsWith(w.prefix))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
    handle(req, res).catch(() => res.destroy())
  })
  const listener = await listenOnLoopback(server, host)
  const { port } = listener
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    waitForRequest: (prefix) =>
      requests.some((p) => p.startsWith(prefix)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ prefix, resolve })),
    close: listener.close,
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fixture')
  const q = url.searchParams
  const html = (body: string, status = 200) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    res.end(body)
  }
  switch (url.pathname) {
    case '/slow': {
      await delay(Number(q.get('ms') ?? 500))
      return html(`<!doctype html><title>slow</title><h1 id="marker">slow-${q.get('ms')}</h1>`)
    }
    case '/hang':
      return // never answers; the socket is destroyed when the site closes
    case '/close-mid':
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '100000' })
      res.write('<!doctype html><title>cut</title><p>half')
      setTimeout(() => res.destroy(), 50)
      return
    case '/redirect':
      res.writeHead(302, { location: q.get('to') ?? '/' })
      return void res.end()
    case '/big': {
      const mb = Number(q.get('mb') ?? 1)
      const para = `<p>${'lorem ipsum dolor sit amet '.repeat(37)}</p>\n` // ~1 KB
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.write('<!doctype html><title>big</title><h1 id="marker">big-page</h1>')
      for (let i = 0; i < mb * 1024; i++) res.write(para)
      return void res.end()
    }
    case '/tall': {
      const px = Number(q.get('px') ?? 50_000)
      return html(`<!doctype html><title>tall</title><body style="margin:0"><div style="height:${px}px;background:linear-gradient(#fff,#00f)">tall</div></body>`)
    }
    case '/slow-image.png':
      await delay(Number(q.get('ms') ?? 300))
      res.writeHead(200, { 'content-type': 'image/png' })
      return void res.end(PNG_1x1)
    case '/fetch-to':
      return html(
        `<!doctype html><title>fetch</title><pre id="out">pending</pre><script>
         fetch(${JSON.stringify(q.get('target'))}).then(r => r.text()).then(t => out.textContent = 'got:' + t, e => out.textContent = 'blocked:' + e.message)
         </script>`,
      )
    case '/img-to':
      return html(`<!doctype html><title>img</title><img src=${JSON.stringify(q.get('target') ?? '')}>`)
    case '/navigate-away':
      return html(`<!doctype html><title>away</title><h1>away</h1><script>setTimeout(() => location.href = '/navigate-away?n=' + Date.now(), 20)</script>`)
    case '/echo-headers':
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify(req.headers))
  }
  const status = /^\/status\/(\d{3})$/.exec(url.pathname)
  if (status) return html(`<!doctype html><title>status ${status[1]}</title><h1 id="marker">status-${status[1]}</h1>`, Number(status[1]))

  const file = normalize(join(SITE_DIR, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)))
  if (!file.startsWith(SITE_DIR)) return html('forbidden', 403)
  try {
    const body = await readFile(file)
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(body)
  } catch {
    html('<!doctype html><title>404</title><h1>not found</h1>', 404)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
