import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settledContent } from '../../runner/pages/page-content.ts'
import { launchTestChromium } from '../helpers/test-chromium.ts'

// Reading a page's HTML: most pages come back whole from the evaluate that serializes them, a larger
// one in 128 KiB pieces; either way the caller gets what page.content() gives, and the page keeps
// no copy of it.

let browser: Browser

beforeAll(async () => {
  browser = await launchTestChromium()
})
afterAll(async () => {
  await browser?.close()
})

describe('settledContent', () => {
  // a small page, one just under a piece, one just over, and one of several pieces
  for (const chars of [1_000, 128 * 1024 - 200, 128 * 1024 + 200, 3 * 128 * 1024 + 5]) {
    it(`reads a page of ~${chars} characters as page.content() does, and leaves no copy behind`, async () => {
      const page = await browser.newPage()
      try {
        await page.setContent(`<!doctype html><html><head><title>t</title></head><body><p>${'é'.repeat(chars - 80)}</p></body></html>`)
        const expected = await page.content()
        expect(Math.abs(expected.length - chars)).toBeLessThan(100)
        expect(await settledContent(page, 10_000)).toBe(expected)
        expect(await page.evaluate(() => Object.getOwnPropertyNames(window).filter((k) => k.startsWith('__crawlfleet_content_')))).toEqual([])
      } finally {
        await page.close()
      }
    })
  }
})
