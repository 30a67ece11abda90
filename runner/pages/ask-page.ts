import type { LlmRequest } from '../contract/request-schemas.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { convertBeforeClose } from '../session/before-close.ts'
import type { PageWork } from '../session/page-work.ts'
import { checkSchemaOffThread, offload, prestartContentWorker } from '../workers/offload.ts'
import { renderHtml } from './html.ts'
import { pageTimeoutMsOf } from './page-options.ts'

/** the model's share of an /llm request's time, on top of the page's */
export const LLM_EXTRA_MS = 60_000

/** /llm's answer: the page rendered, its main content as Markdown, the model's answer about it. */
export async function askAboutPage(input: LlmRequest, work: PageWork, client: LlmClient) {
  prestartContentWorker()
  const signal = work.deadline.signal
  const { converted } = await work.withPage(async (p, ms) => {
    const page = await renderHtml(p, input, Math.min(ms, pageTimeoutMsOf(input)), { signals: true })
    return convertBeforeClose(offload('fitMarkdown', [page.html, page.url], { signal }).then((pageMarkdown) => ({ pageMarkdown, url: page.url })))
  })
  // ajv and the LLM client's code load on the first /llm, not at start (README, "Memory")
  const { answerQuestion } = await import('../llm/answer.ts')
  const { pageMarkdown, url } = await converted
  return answerQuestion({
    client,
    pageMarkdown,
    url,
    question: input.q,
    schema: input.schema,
    signal,
    checkSchema: (schema, data) => checkSchemaOffThread(schema, data, { signal }),
  })
}
