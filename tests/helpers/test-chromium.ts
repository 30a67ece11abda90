import { chromium, type Browser } from 'playwright-core'
import { BASE_CHROMIUM_ARGS } from '../../runner/browser/chromium-flags.ts'
import { findChromium, isExecutableFile } from '../../runner/browser/find-chromium.ts'

/** The Chromium the tests drive directly: CRAWLFLEET_CHROMIUM_PATH, else the one the runner would find. */
export function testChromiumPath(): string {
  return findChromium({ configured: process.env.CRAWLFLEET_CHROMIUM_PATH, playwrightPath: () => undefined, isExecutable: isExecutableFile })
}

/** That Chromium, started by Playwright itself with the runner's base flags (and `extraArgs`): no pool, no runner. */
export function launchTestChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: testChromiumPath(), args: [...BASE_CHROMIUM_ARGS, ...extraArgs] })
}
