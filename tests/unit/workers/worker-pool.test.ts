import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { InvalidFieldError } from '../../../runner/contract/errors.ts'
import { checkSchemaOffThread, offload, configureContentWorkers, inputChars, LIGHT_TASK_MAX_CHARS, stopContentWorkers } from '../../../runner/workers/offload.ts'
import { WORKER_ENTRY } from '../../../runner/workers/offload.ts'
import { WorkerPool, WorkerTaskTimeoutError } from '../../../runner/workers/worker-pool.ts'

afterAll(() => stopContentWorkers())

/** the nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat) */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

describe('inputChars', () => {
  it('counts the characters of string arguments and of an argument object\'s strings', () => {
    expect(inputChars(['abc', 'https://x/', { markedHtml: 'abcd', seenElsewhere: ['zz'] }, null, 3])).toBe(3 + 10 + 4)
  })
})

describe('content workers', { timeout: 180_000 }, () => {
  it('convert HTML to Markdown on a worker thread', async () => {
    configureContentWorkers(2)
    const out = await offload('renderMd', ['<html><body><h1>Title</h1><p>Some text.</p></body></html>', 'https://example.com/', 'raw', null])
    expect(out).toEqual({ markdown: '# Title\n\nSome text.', text: null })
  })

  it('convert a typical page on a thread at the loop\'s priority, and a large one on a thread lowered to nice 10', async () => {
    configureContentWorkers(2)
    const page = (chars: number) => `<html><body><h1>Title</h1><p>${'word '.repeat(Math.ceil(chars / 5))}</p></body></html>`
    await offload('renderMd', [page(10_000), 'https://example.com/', 'raw', null])
    expect(threadNices()).not.toContain(10)
    const large = page(LIGHT_TASK_MAX_CHARS + 1)
    expect(inputChars([large, 'https://example.com/', 'raw', null])).toBeGreaterThan(LIGHT_TASK_MAX_CHARS)
    const out = await offload('renderMd', [large, 'https://example.com/', 'raw', null])
    expect(out.markdown.length).toBeGreaterThan(LIGHT_TASK_MAX_CHARS)
    expect(threadNices()).toContain(10)
  })

  it('bring a field error back as the same error class', async () => {
    await expect(offload('renderMarkdown', ['<p>x</p>', 'https://example.com/', 'bm25', ''])).rejects.toBeInstanceOf(InvalidFieldError)
  })

  it('stop a schema check whose pattern backtracks for ever, within its time limit, and keep serving', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } }
    const data = { name: `${'a'.repeat(33)}!` }
    expect(await checkSchemaOffThread(schema, { name: 'aaa' }, { timeoutMs: 30_000 })).toBeNull() // the thread is loaded
    const started = performance.now()
    await expect(checkSchemaOffThread(schema, data)).rejects.toBeInstanceOf(WorkerTaskTimeoutError)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await checkSchemaOffThread(schema, { name: 'aaa' }, { timeoutMs: 5000 })).toBeNull()
    expect(await checkSchemaOffThread({ type: 'object', required: ['x'] }, {}, { timeoutMs: 5000 })).toBe('x: is required')
  })

  it('stop a task when its caller gives up', async () => {
    const schema = { type: 'string', pattern: '^(a+)+$' }
    const ac = new AbortController()
    const running = checkSchemaOffThread(schema, `${'a'.repeat(40)}!`, { signal: ac.signal, timeoutMs: 60_000 })
    ac.abort(new Error('deadline'))
    await expect(running).rejects.toThrow('deadline')
    expect(await checkSchemaOffThread(schema, 'aa', { timeoutMs: 5000 })).toBeNull()
  })

  it('end a worker left idle past idleMs, and start one again for the next task', async () => {
    const pool = new WorkerPool({ entry: WORKER_ENTRY, workerData: { tasks: './schema-tasks.ts' }, size: 1, idleMs: 300 })
    try {
      expect(await pool.run('checkSchema', [{ type: 'string' }, 'x'], { timeoutMs: 60_000 })).toBeNull()
      expect(pool.threads).toBe(1)
      const until = Date.now() + 30_000
      while (pool.threads > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(pool.threads).toBe(0)
      expect(await pool.run('checkSchema', [{ type: 'number' }, 'x'], { timeoutMs: 60_000 })).toBe('(root): must be number')
      expect(pool.threads).toBe(1)
    } finally {
      await pool.close()
    }
  })
})
