import type { Page } from 'playwright-core'
import type { ExecuteJsRequest } from '../contract/request-schemas.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'

export type ScriptOutcome = unknown | { error: string }

export async function executeScripts(page: Page, input: ExecuteJsRequest, timeoutMs: number) {
  const nav = await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  const results: ScriptOutcome[] = []
  let allOk = true
  for (const script of input.scripts) {
    try {
      results.push(await runScript(page, script))
    } catch (err) {
      if (isPageGone(err)) throw err
      allOk = false
      results.push({ error: err instanceof Error ? firstLine(err.message) : String(err) })
    }
  }
  return {
    success: true as const,
    url: nav.finalUrl,
    js_execution_result: { success: allOk, results },
    html: await page.content(),
  }
}

/**
 * crawl4ai scripts are either expressions (`document.title`) or function bodies
 * (`return document.title`); an expression is tried first, a body when that is a syntax error.
 */
async function runScript(page: Page, script: string): Promise<unknown> {
  try {
    return await page.evaluate(script)
  } catch (err) {
    if (!(err instanceof Error) || !/SyntaxError|Illegal return/.test(err.message)) throw err
    return page.evaluate(`(async () => {\n${script}\n})()`)
  }
}

function isPageGone(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || /has been closed|Target closed|crash/i.test(err.message))
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}
