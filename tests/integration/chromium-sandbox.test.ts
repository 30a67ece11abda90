import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserEnvironment } from '../../runner/browser/browser-env.ts'
import { createPlaywrightLauncher, MARKER_ARG_PREFIX } from '../../runner/browser/launcher-playwright.ts'
import { DEFAULT_LAUNCH } from '../../runner/contract/signature.ts'
import { listProcessTree, readCommandLine } from '../../runner/browser/process-tree.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'
import { testChromiumPath } from '../helpers/test-chromium.ts'

// Chromium's sandbox (CRAWLFLEET_CHROMIUM_SANDBOX=auto): on for a runner that is not root, where the
// platform lets an unprivileged user create user namespaces; off, with a warning, where it does not.
// Tests run as root here, so the runner runs as nobody.

const NOBODY = { uid: 65534, gid: 65534 }
const asRoot = process.getuid?.() === 0
const as = asRoot ? NOBODY : undefined

let site: FixtureSite
let runner: RunnerProcess

beforeAll(async () => {
  site = await startFixtureSite('127.0.0.2')
  runner = await startRunnerProcess({ HOME: '/tmp', CRAWLFLEET_ALLOW_CIDRS: '127.0.0.2/32', CRAWLFLEET_LOG_LEVEL: 'info' }, { as })
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
})

describe("Chromium's sandbox", () => {
  it('is on for a runner that is not root wherever user namespaces allow it, and renders', async () => {
    const userNamespaces = spawnSync('unshare', ['--user', 'true'], { ...as }).status === 0
    const browsers: string[][] = []
    for (const pid of await listProcessTree(runner.pid)) {
      const args = await readCommandLine(pid)
      if (args.some((a) => a.startsWith(MARKER_ARG_PREFIX))) browsers.push(args)
    }
    expect(browsers).toHaveLength(1)
    expect(browsers[0]!.includes('--no-sandbox')).toBe(!userNamespaces)
    if (!userNamespaces) expect(runner.output()).toContain('chromium.sandbox_unavailable')

    const res = await fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/` }) })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { html: string }).html).toContain('crawlfleet-fixture-home')
  })

  it('falls back to no sandbox, once and with a warning, when Chromium finds none usable', async () => {
    // told it is not root: as root (here) Chromium refuses the sandbox, as it does without user namespaces
    const unusable = asRoot || spawnSync('unshare', ['--user', 'true']).status !== 0
    const events: string[] = []
    const launcher = createPlaywrightLauncher({
      executablePath: testChromiumPath(),
      egressProxyUrl: 'http://127.0.0.1:9', // the browser loads nothing
      env: browserEnvironment(process.env),
      runningAsRoot: false,
      log: (event) => events.push(event),
    })
    for (let i = 0; i < 2; i++) {
      const handle = await launcher.launch(DEFAULT_LAUNCH, AbortSignal.timeout(30_000))
      expect((await readCommandLine(handle.pid!)).includes('--no-sandbox')).toBe(unusable)
      await handle.close()
    }
    expect(events.filter((e) => e === 'chromium.sandbox_unavailable')).toHaveLength(unusable ? 1 : 0)
  })
})
