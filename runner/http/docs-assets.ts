import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Context } from 'hono'
import { NotFoundError } from '../contract/errors.ts'

// /docs works offline and in a private subnet: Swagger UI's script and style come from the
// swagger-ui-dist package, served here, not from a CDN. @hono/swagger-ui writes the page; its
// `baseUrl` points the page at `${DOCS_ASSETS_BASE}/swagger-ui-dist/<file>`.

export const DOCS_ASSETS_BASE = '/docs/assets'

const FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

const DIST_DIR = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')))
const cache = new Map<string, Promise<Buffer>>()

export async function serveDocsAsset(c: Context): Promise<Response> {
  const name = c.req.path.slice(`${DOCS_ASSETS_BASE}/swagger-ui-dist/`.length)
  const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined
  if (!type || !c.req.path.startsWith(`${DOCS_ASSETS_BASE}/swagger-ui-dist/`)) throw new NotFoundError(`no docs asset ${c.req.path}`)
  let bytes = cache.get(name)
  if (!bytes) {
    bytes = readFile(join(DIST_DIR, name))
    cache.set(name, bytes)
    bytes.catch(() => cache.delete(name))
  }
  return c.body(new Uint8Array(await bytes), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' })
}
