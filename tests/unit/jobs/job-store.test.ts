import { describe, expect, it } from 'vitest'
import { formatTaskId, parseTaskId } from '../../../runner/contract/job-id.ts'
import { JobStore, type JobSettings } from '../../../runner/jobs/job-store.ts'

const KEY = 'abcdefabcdef'
const settings: JobSettings = { ttlMs: 60_000, maxBytes: 10_000, maxUnfinished: 2, running: 1 }

function store(o: Partial<JobSettings> = {}) {
  let now = 1_800_000_000_000
  const s = new JobStore({ settings: { ...settings, ...o }, nowMs: () => now, instance: 'cafebabe' })
  return { s, advance: (ms: number) => void (now += ms) }
}
const status = (s: JobStore, id: string) => JSON.parse(s.statusJson(id)) as Record<string, any>

describe('JobStore', () => {
  it('names the runner key, its instance and the time in the task id, and walks pending → processing → completed', () => {
    const { s, advance } = store()
    const job = s.accept('crawl', ['https://a.example/'], KEY)
    expect(parseTaskId(job.taskId)).toMatchObject({ kind: 'crawl', runnerKey: KEY, instance: 'cafebabe', createdSec: 1_800_000_000 })
    expect(status(s, job.taskId)).toMatchObject({ status: 'pending', url: ['https://a.example/'] })
    s.start(job)
    expect(status(s, job.taskId).status).toBe('processing')
    advance(1000)
    s.complete(job, JSON.stringify({ success: true, results: [] }))
    expect(status(s, job.taskId)).toMatchObject({ status: 'completed', result: { success: true, results: [] }, expires_at: new Date(1_800_000_001_000 + 60_000).toISOString() })
    expect(s.stats()).toMatchObject({ pending: 0, processing: 0, finished: 1, bytes: 29 })
  })

  it('forgets a finished job after the TTL (404 then) and gives its bytes back', () => {
    const { s, advance } = store()
    const job = s.accept('llm', ['https://a.example/'], KEY)
    s.start(job)
    s.complete(job, '{"answer":"x"}')
    expect(status(s, job.taskId).url).toBe('https://a.example/')
    advance(60_000)
    expect(() => s.statusJson(job.taskId)).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }))
    expect(s.stats().bytes).toBe(0)
  })

  it('refuses a new job when it holds as many unfinished jobs as it may, or its bytes are used up (JOBS_FULL, another runner may take it)', () => {
    const { s } = store()
    const a = s.accept('crawl', ['https://a.example/'], KEY)
    s.accept('crawl', ['https://b.example/'], KEY)
    expect(() => s.accept('crawl', ['https://c.example/'], KEY)).toThrow(expect.objectContaining({ code: 'JOBS_FULL', retryElsewhere: true }))
    s.start(a)
    s.complete(a, 'x'.repeat(10_000))
    expect(() => s.accept('crawl', ['https://c.example/'], KEY)).toThrow(expect.objectContaining({ code: 'JOBS_FULL', message: expect.stringContaining('CRAWLFLEET_JOB_STORE_BYTES') }))
  })

  it('fails a job whose result does not fit, saying so, instead of holding more than it may', () => {
    const { s } = store({ maxBytes: 100 })
    const job = s.accept('crawl', ['https://a.example/'], KEY)
    s.start(job)
    s.complete(job, JSON.stringify({ html: 'x'.repeat(200) }))
    expect(status(s, job.taskId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/does not fit .* CRAWLFLEET_JOB_STORE_BYTES/) })
    expect(s.stats().bytes).toBe(0)
  })

  it('answers failed, with the reason, for a task id of another instance at this address (the runner restarted)', () => {
    const { s } = store()
    const id = formatTaskId({ kind: 'crawl', runnerKey: KEY, instance: '0badf00d', createdSec: 1_799_999_000 })
    expect(status(s, id)).toMatchObject({ task_id: id, status: 'failed', error: expect.stringContaining('restarted') })
  })

  it('fails the pending jobs and takes no new one once it drains', () => {
    const { s } = store()
    const running = s.accept('crawl', ['https://a.example/'], KEY)
    const waiting = s.accept('crawl', ['https://b.example/'], KEY)
    s.start(running)
    s.drain('shutting down')
    expect(status(s, waiting.taskId)).toMatchObject({ status: 'failed', error: 'shutting down' })
    expect(status(s, running.taskId).status).toBe('processing')
    expect(() => s.accept('crawl', ['https://c.example/'], KEY)).toThrow(expect.objectContaining({ code: 'DRAINING' }))
  })
})
