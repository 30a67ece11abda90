// The corpus over loopback HTTPS (a throwaway certificate): several saved pages send their script to
// https:, so the extraction benchmark serves them as they were served. bench/real-pages.ts uses the
// plain-HTTP server in corpus-site.ts, as its raw Playwright baseline does.
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:https'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { listenOnLoopback } from '../../runner/util/listen-loopback.ts'

// The public article-extraction benchmark (181 saved article pages with hand-checked bodies),
// kept outside the repository. It is read from ../shared/corpus relative to the project root.

export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/article-extraction-benchmark/', import.meta.url))

export interface CorpusSite {
  readonly url: string
  /** the page ids, sorted: html/<id>.html.gz */
  readonly ids: readonly string[]
  pageUrl(id: string): string
  close(): Promise<void>
}

/**
 * Serves html/<id>.html.gz gunzipped at /<id>.html over HTTPS on loopback, with a certificate made
 * for the run (the browser must ignore HTTPS errors). HTTPS because several saved pages send an
 * http: visitor to https: from a script, as their sites did. Anything else answers a fast 404, so
 * a page's relative subresources cost nothing. The saved files are all UTF-8 (some still declare
 * the charset they were served in), so the content type says UTF-8, which outranks their <meta>.
 */
export async function startCorpusSite(dir = CORPUS_DIR): Promise<CorpusSite> {
  const tls = await selfSignedCertificate()
  const ids = (await readdir(`${dir}html`))
    .filter((f) => f.endsWith('.html.gz'))
    .map((f) => f.slice(0, -'.html.gz'.length))
    .sort()
  const known = new Set(ids)
  const server = createServer(tls, (req, res) => {
    const m = /^\/([0-9a-f]+)\.html$/.exec(new URL(req.url ?? '/', 'http://corpus').pathname)
    if (!m || !known.has(m[1]!)) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not in the corpus')
    readFile(`${dir}html/${m[1]}.html.gz`).then(
      (gz) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(gunzipSync(gz)),
      () => res.writeHead(500).end(),
    )
  })
  const listener = await listenOnLoopback(server as unknown as import('node:http').Server)
  const url = listener.url.replace(/^http:/, 'https:')
  return { url, ids, pageUrl: (id) => `${url}/${id}.html`, close: listener.close }
}

/** A throwaway key and certificate for 127.0.0.1 (openssl, one day), read and deleted at once. */
async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'corpus-tls-'))
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    return { key: await readFile(key), cert: await readFile(cert) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export interface GroundTruth {
  readonly articleBody: string
  readonly url: string
}

export async function readGroundTruth(dir = CORPUS_DIR): Promise<Record<string, GroundTruth>> {
  return JSON.parse(await readFile(`${dir}ground-truth.json`, 'utf8')) as Record<string, GroundTruth>
}
