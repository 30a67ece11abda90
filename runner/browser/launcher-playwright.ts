import { randomUUID } from 'node:crypto'
import { chromium, type Browser } from 'playwright-core'
import type { LaunchOptions } from '../contract/signature.ts'
import { closeOrKill } from '../pool/browser-record.ts'
import { CLOSE_GRACE_MS } from '../pool/pool-settings.ts'
import type { BrowserHandle, Launcher } from '../pool/types.ts'
import { systemClock } from '../util/clock.ts'
import { abortable, withDeadline } from '../util/with-deadline.ts'
import { BASE_CHROMIUM_ARGS } from './chromium-flags.ts'
import { findPidByArg, killTree, readProcStat } from './process-tree.ts'

// The only file of the pool that knows Playwright.

export interface PlaywrightLauncherOptions {
  readonly executablePath: string
  readonly baseArgs?: readonly string[]
  /** @default DEFAULT_LAUNCH_TIMEOUT_MS */
  readonly launchTimeoutMs?: number
  readonly log?: (event: string, fields: object) => void
  /** where browsers without a proxy of their own send all traffic (the URL policy's egress proxy) */
  readonly egressProxyUrl?: string
}

/** a headless shell launches in ~0.1–0.3 s; this only catches a Chromium that never comes up */
export const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000
/** how long killTree waits for a SIGKILLed browser to be reaped */
const KILL_WAIT_MS = 2000

/** The launch arg that lets us find a browser's process in /proc: Playwright does not expose the pid. */
export const MARKER_ARG_PREFIX = '--crawlfleet-browser='

export interface PlaywrightHandle extends BrowserHandle<Browser> {
  /** the unique `--crawlfleet-browser=…` arg on this browser's command line */
  readonly marker: string
}

export interface PlaywrightLauncher extends Launcher<Browser> {
  launch(options: LaunchOptions, signal: AbortSignal): Promise<PlaywrightHandle>
}

export function createPlaywrightLauncher(o: PlaywrightLauncherOptions): PlaywrightLauncher {
  const baseArgs = o.baseArgs ?? BASE_CHROMIUM_ARGS
  const log = o.log ?? (() => undefined)
  return {
    async launch(options, signal) {
      signal.throwIfAborted()
      const marker = `${MARKER_ARG_PREFIX}${randomUUID()}`
      const launching = chromium.launch({
        executablePath: o.executablePath,
        headless: true,
        args: [...baseArgs, ...options.args, marker],
        // Playwright adds <-loopback> to the bypass list, so loopback goes through the proxy too
        proxy: options.proxy ?? (o.egressProxyUrl ? { server: o.egressProxyUrl } : undefined),
        timeout: o.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS,
        // the runner drains on SIGTERM itself; a browser launched over a pipe exits when the runner dies
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      let browser: Browser
      try {
        browser = await abortable(launching, signal)
      } catch (err) {
        // aborted mid-launch: the browser still comes up, and nobody else will close it
        if (signal.aborted) {
          void launching
            .then(async (b) => closeOrKill(await handleFor(b, marker), CLOSE_GRACE_MS, systemClock, log))
            .then(() => log('browser.abandoned_closed', { marker }), () => undefined)
        }
        throw err
      }
      const handle = await handleFor(browser, marker)
      if (signal.aborted) {
        await closeOrKill(handle, CLOSE_GRACE_MS, systemClock, log)
        throw signal.reason
      }
      return handle
    },
  }
}

async function handleFor(browser: Browser, marker: string): Promise<PlaywrightHandle> {
  const pid = await findPidByArg(marker)
  // Playwright spawns Chromium detached, so it leads its own process group; checked, not assumed
  const leadsGroup = pid !== undefined && (await readProcStat(pid))?.pgrp === pid
  let closedByUs = false
  const disconnected = new Promise<void>((resolve) => browser.once('disconnected', () => resolve()))
  return {
    browser,
    pid,
    marker,
    onDisconnected(listener) {
      const unlessClosedByUs = () => {
        if (!closedByUs) listener()
      }
      // it may have died while we looked for its pid, before anyone was listening
      if (browser.isConnected()) browser.on('disconnected', unlessClosedByUs)
      else queueMicrotask(unlessClosedByUs)
    },
    async close() {
      closedByUs = true
      await browser.close()
    },
    async killTree() {
      closedByUs = true
      const target = pid ?? (await findPidByArg(marker))
      if (target === undefined) return
      await killTree(target, { group: leadsGroup })
      // Playwright reaps the process and closes the pipe once it is dead; wait for that, within reason
      await withDeadline(disconnected, KILL_WAIT_MS, systemClock).catch(() => undefined)
    },
  }
}
