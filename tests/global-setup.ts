import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Every test file, and every process a test starts, gets this run's own temp directory (TMPDIR is
// inherited): what Chromium, Playwright and CDK leave in it is removed when the run ends, so
// nothing a test creates outlives it.
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'crawlfleet-tests-'))
  // sticky and open to all, as /tmp is: tests that start a runner as another user need to reach it
  chmodSync(dir, 0o1777)
  process.env.TMPDIR = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
