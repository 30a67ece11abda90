import { describe, expect, it } from 'vitest'
import { PageTimeoutError } from '../../../runner/contract/errors.ts'
import { capture } from '../../../runner/pages/screenshot.ts'

// What Chromium answers a screenshot of a page caught between two documents (a page that keeps
// navigating itself away), as Playwright words it: the capture is tried again, not answered 500.
const BETWEEN_DOCUMENTS = [
  'page.screenshot: Protocol error (Page.captureScreenshot): Unable to capture screenshot',
  'page.screenshot: Protocol error (Page.captureScreenshot): Not attached to an active page',
]

/** a page whose screenshots fail with `errors` in turn, then succeed */
function pageFailingWith(errors: readonly string[]) {
  let calls = 0
  return {
    calls: () => calls,
    page: {
      screenshot: async () => {
        const message = errors[calls++]
        if (message !== undefined) throw new Error(message)
        return Buffer.from('png')
      },
      waitForTimeout: async () => undefined,
    },
  }
}

describe('capture', () => {
  it('tries again while the page is between documents, and returns the frame it then gives', async () => {
    const p = pageFailingWith([...BETWEEN_DOCUMENTS, ...BETWEEN_DOCUMENTS])
    expect((await capture(p.page, { type: 'png' }, 60_000)).toString()).toBe('png')
    expect(p.calls()).toBe(5)
  })

  it('answers PAGE_TIMEOUT when no frame came within the time', async () => {
    for (const message of BETWEEN_DOCUMENTS) {
      await expect(capture(pageFailingWith(Array(1000).fill(message)).page, { type: 'png' }, 0)).rejects.toBeInstanceOf(PageTimeoutError)
    }
  })

  it('lets any other failure through at once', async () => {
    const p = pageFailingWith(['page.screenshot: Target page, context or browser has been closed'])
    await expect(capture(p.page, { type: 'png' }, 60_000)).rejects.toThrow('has been closed')
    expect(p.calls()).toBe(1)
  })
})
