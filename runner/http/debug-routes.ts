import type { OpenAPIHono } from '@hono/zod-openapi'
import { collectGarbage, heapSnapshotToTemp, memoryFigures } from '../util/heap.ts'

// Leak hunting on a live runner (CRAWLFLEET_DEBUG_ENDPOINTS=on, off by default): a full GC and the
// memory after it, and heap snapshots to diff between load waves (bench/stages/leak.ts does both).
// Behind the same signature as /pressure; not in the OpenAPI document.

export function registerDebugRoutes(app: OpenAPIHono, signed: Parameters<OpenAPIHono['use']>[1]): void {
  app.use('/debug/*', signed)
  app.post('/debug/gc', (c) => {
    collectGarbage()
    collectGarbage() // the second pass frees what the first one's finalizers released
    return c.json(memoryFigures())
  })
  app.post('/debug/heap-snapshot', (c) => c.json({ path: heapSnapshotToTemp(), ...memoryFigures() }))
}
