import { startRunnerProcess, type RunnerProcess } from '../../tests/helpers/start-runner.ts'
import { checked, type Target } from './baselines.ts'
import { postJson } from './http.ts'
import type { Answer } from './load.ts'

/** /html through a runner process over loopback HTTP; refusals come back as their status. */
export function htmlVia(baseUrl: string, url: string, body: object = {}): () => Promise<Answer> {
  return async () => {
    const res = await postJson(`${baseUrl}/html`, { url, ...body })
    if (res.status !== 200) return res
    return { ...checked((JSON.parse(res.body) as { html: string }).html), ...(res.runnerMs !== undefined ? { runnerMs: res.runnerMs } : {}) }
  }
}

export async function runnerTarget(url: string, env: Record<string, string> = {}, name = 'runner'): Promise<Target & { process: RunnerProcess }> {
  const runner = await startRunnerProcess({ CRAWLFLEET_LOG_LEVEL: 'warn', ...env }, { readyTimeoutMs: 120_000 })
  return {
    name,
    process: runner,
    send: htmlVia(runner.url, url),
    close: async () => void (await runner.stop('SIGTERM')),
  }
}
