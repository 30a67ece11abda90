import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

// Every test file, and every process a test starts, gets this run's own temp directory (TMPDIR is
// inherited): what Chromium, Playwright and CDK leave in it is removed when the run ends, so
// nothing a test creates outlives it. Vitest's own folder of transformed modules (project.tmpDir,
// made in the system temp directory before this runs) is removed too: vitest 4 leaves it behind.
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'crawlfleet-tests-'))
  // sticky and open to all, as /tmp is: tests that start a runner as another user need to reach it
  chmodSync(dir, 0o1777)
  process.env.TMPDIR = dir
  return () => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(project.tmpDir, { recursive: true, force: true })
  }
}
