import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createGunzip } from 'node:zlib'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'

// The shared corpus of real article pages (../shared/corpus/article-extraction-benchmark, see its
// README), served as saved: /<id>.html is the page, gunzipped on the fly; anything else the pages ask
// this origin for is a fast 404, and their third-party hosts stay as unreachable as they are here.

export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/article-extraction-benchmark/html/', import.meta.url))
const SUFFIX = '.html.gz'

export interface CorpusSite {
  readonly url: string
  /** page ids, sorted; the page of id X is at `${url}/${X}.html` */
  readonly ids: readonly string[]
  pageUrl(id: string): string
  close(): Promise<void>
}

export async function corpusIds(dir = CORPUS_DIR): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`the corpus is not at ${dir} (${err.code}); see the corpus README beside it (the shared corpus sits next to this repository: ../shared/corpus/)`)
  })
  return names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length)).sort()
}

/** Serves the corpus on `host` (a loopback address), plus /warmup: a tiny page that needs no DNS. */
export async function startCorpusSite(host = '127.0.0.2', dir = CORPUS_DIR): Promise<CorpusSite> {
  const ids = await corpusIds(dir)
  const known = new Set(ids)
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://corpus').pathname
    const id = /^\/([0-9a-f]{64})\.html$/.exec(path)?.[1]
    if (path === '/warmup') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      return void res.end('<!doctype html><title>warmup</title><p>warm</p>')
    }
    if (!id || !known.has(id)) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return void res.end('not found')
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    const source = createReadStream(`${dir}${id}${SUFFIX}`)
    const gunzip = createGunzip()
    const fail = () => res.destroy()
    source.on('error', fail)
    gunzip.on('error', fail)
    source.pipe(gunzip).pipe(res)
  })
  const listener = await listenOnLoopback(server, host)
  return { url: listener.url, ids, pageUrl: (id) => `${listener.url}/${id}.html`, close: listener.close }
}
