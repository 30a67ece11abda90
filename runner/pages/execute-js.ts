import type { JSHandle, Page } from 'playwright-core'
import type { ExecuteJsRequest } from '../contract/request-schemas.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'
import { settledContent } from './page-content.ts'

export type ScriptOutcome = unknown | { error: string }

/** JSON characters one answer may carry from all its scripts: a page must not make the answer unbounded */
export const MAX_SCRIPT_RESULTS_CHARS = 16 * 1024 * 1024

export async function executeScripts(page: Page, input: ExecuteJsRequest, timeoutMs: number) {
  const nav = await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  return {
    success: true as const,
    url: nav.finalUrl,
    js_execution_result: await runScripts(page, input.scripts),
    html: await settledContent(page, timeoutMs),
  }
}

/** Every script's JSON result in order, or its error: crawl4ai's {success, results}. A page that is gone throws. */
export async function runScripts(page: Page, scripts: readonly string[]): Promise<{ success: boolean; results: ScriptOutcome[] }> {
  const results: ScriptOutcome[] = []
  let success = true
  let budget = MAX_SCRIPT_RESULTS_CHARS
  for (const script of scripts) {
    try {
      const { value, chars } = await runScript(page, script, budget)
      budget -= chars
      results.push(value)
    } catch (err) {
      if (isPageGone(err)) throw err
      success = false
      results.push({ error: err instanceof Error ? pageErrorText(err.message) : String(err) })
    }
  }
  return { success, results }
}

/**
 * crawl4ai scripts are either expressions (`document.title`) or function bodies
 * (`return document.title`); an expression is tried first, a body when that is a syntax error.
 * The result is serialised to JSON in the page and sent only when it fits `maxChars`: a BigInt or a
 * cycle would otherwise fail the whole answer, and a string of hundreds of MB would cross into the runner.
 */
export async function runScript(page: Page, script: string, maxChars: number): Promise<{ value: unknown; chars: number }> {
  let handle: JSHandle
  try {
    handle = await page.evaluateHandle(script)
  } catch (err) {
    if (!(err instanceof Error) || !/SyntaxError|Illegal return/.test(err.message)) throw err
    handle = await page.evaluateHandle(`(async () => {\n${script}\n})()`)
  }
  try {
    const json = await handle.evaluate(jsonInPage, maxChars)
    if (json === TOO_LARGE) throw new Error(`the result is larger than ${maxChars} characters of JSON`)
    if (typeof json !== 'string') throw new Error('the result cannot be serialised to JSON (a cycle, or a toJSON that throws)')
    // a page may have replaced JSON.stringify: what came back must still parse
    return { value: JSON.parse(json) as unknown, chars: json.length }
  } finally {
    await handle.dispose().catch(() => undefined)
  }
}

const TOO_LARGE = -2

/** Runs in the page (so no outside names): only a primitive comes back, and only a string that fits. */
function jsonInPage(value: unknown, maxChars: number): string | number {
  if (typeof value === 'string' && value.length > maxChars) return -2 // TOO_LARGE, before stringify doubles it
  let json: unknown
  try {
    json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  } catch {
    return -1 // not serialisable
  }
  if (json === undefined) return 'null'
  if (typeof json !== 'string') return -1
  return json.length > maxChars ? -2 /* TOO_LARGE */ : json
}

function isPageGone(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || /has been closed|Target closed|crash/i.test(err.message))
}

/** The page's own error ("Error: boom"), without the Playwright call it surfaced through ("page.evaluateHandle: "). */
function pageErrorText(message: string): string {
  return firstLine(message).replace(/^(page|frame|jsHandle|elementHandle)\.\w+: /, '')
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}
