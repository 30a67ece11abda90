import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserEnvironment } from '../../runner/browser/browser-env.ts'
import { BASE_CHROMIUM_ARGS } from '../../runner/browser/chromium-flags.ts'
import { createPlaywrightLauncher } from '../../runner/browser/launcher-playwright.ts'
import { DEFAULT_LAUNCH } from '../../runner/contract/signature.ts'
import { createUrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import { createDnsResolver } from '../../runner/egress/dns-resolver.ts'
import { startEgressProxy, type EgressProxy } from '../../runner/egress/egress-proxy.ts'
import { nodeDnsQuery } from '../../runner/egress/node-dns-query.ts'
import { openPageSession } from '../../runner/session/page-session.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { listenOnLoopback, type LoopbackListener } from '../../runner/util/listen-loopback.ts'
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts'
import { testChromiumPath } from '../helpers/test-chromium.ts'

// Chromium resolves no name itself: not for a page's subresources, not for <link rel=dns-prefetch> or
// preconnect. Chromium's own net log shows every host resolution it makes; the launcher's browser must
// make none, where Chromium with the base flags only makes them (the control). The names reach the
// egress proxy instead, which asks its own DNS.

const executablePath = testChromiumPath()
const PROBES = ['prefetch-probe.test', 'preconnect-probe.test', 'img-probe.test']

let dir: string
let dns: TestDnsServer
let site: LoopbackListener
let egress: EgressProxy

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crawlfleet-netlog-'))
  dns = await startDnsServer(() => 'nxdomain')
  site = await listenOnLoopback(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(`<!doctype html><link rel="dns-prefetch" href="//${PROBES[0]}"><link rel="preconnect" href="http://${PROBES[1]}"><img src="http://${PROBES[2]}/x.png"><p>probes</p>`)
    }),
    '127.0.0.2',
  )
  const resolver = createDnsResolver({ query: nodeDnsQuery({ servers: [dns.server], timeoutMs: 1000, tries: 1 }), clock: systemClock })
  egress = await startEgressProxy({ policy: createUrlPolicy({ allowCidrs: ['127.0.0.2/32'] }), dns: resolver })
})
afterAll(async () => {
  await egress?.close()
  await site?.close()
  await dns?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Hosts Chromium resolved (or tried to), from its net log. */
async function resolvedHosts(netLogPath: string): Promise<string[]> {
  const log = JSON.parse(await readFile(netLogPath, 'utf8')) as { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: { host?: string } }[] }
  const names = new Map(Object.entries(log.constants.logEventTypes).map(([name, id]) => [id, name]))
  return log.events.filter((e) => names.get(e.type)?.startsWith('HOST_RESOLVER_MANAGER_JOB') && e.params?.host).map((e) => e.params!.host!)
}

const netLogArgs = (path: string) => [`--log-net-log=${path}`, '--net-log-capture-mode=Everything']

describe('Chromium resolves no name itself', () => {
  it("sends a page's names (subresources, dns-prefetch, preconnect) to the egress proxy and resolves none", async () => {
    const netLog = join(dir, 'locked.json')
    const launcher = createPlaywrightLauncher({
      executablePath,
      baseArgs: [...BASE_CHROMIUM_ARGS, ...netLogArgs(netLog)],
      egressProxyUrl: egress.url,
      env: browserEnvironment(process.env),
      runningAsRoot: process.getuid?.() === 0,
    })
    const handle = await launcher.launch(DEFAULT_LAUNCH, AbortSignal.timeout(30_000))
    try {
      const session = await openPageSession(handle.browser, {}, await egress.openSession())
      await session.page.goto(`${site.url}/`)
      await dns.waitForQueries(1, (name) => name === PROBES[2]) // the egress proxy asked, not Chromium
      await session.close()
    } finally {
      await handle.close()
    }
    expect(await resolvedHosts(netLog)).toEqual([])
  })

  it('the control: Chromium with the base flags only resolves the same page\'s names itself', async () => {
    const netLog = join(dir, 'raw.json')
    const browser = await chromium.launch({ executablePath, args: [...BASE_CHROMIUM_ARGS, ...netLogArgs(netLog)] })
    try {
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${site.url}/`)
    } finally {
      await browser.close()
    }
    expect(await resolvedHosts(netLog)).toContain(`http://${PROBES[2]}`)
  })
})
