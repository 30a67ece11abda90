import { randomUUID } from 'node:crypto'
import { getPriority } from 'node:os'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import type { LaunchOptions } from '../contract/signature.ts'
import { closeOrKill } from '../pool/browser-record.ts'
import { CLOSE_GRACE_MS } from '../pool/pool-settings.ts'
import type { BrowserHandle, Launcher, Tier } from '../pool/types.ts'
import { systemClock } from '../util/clock.ts'
import { abortable, withDeadline } from '../util/with-deadline.ts'
import { BASE_CHROMIUM_ARGS, DISABLE_FEATURES_ARG, egressLockdownArgs, LOCKED_FLAG_PREFIXES, PLAYWRIGHT_DISABLE_FEATURES_ARG } from './chromium-flags.ts'
import { findPidByArg, killTree, readCommandLine, readProcStat, reniceTree } from './process-tree.ts'

// The only file of the pool that knows Playwright.

export interface PlaywrightLauncherOptions {
  readonly executablePath: string
  readonly baseArgs?: readonly string[]
  /** @default DEFAULT_LAUNCH_TIMEOUT_MS */
  readonly launchTimeoutMs?: number
  readonly log?: (event: string, fields: object) => void
  /** every browser's proxy, whatever the caller asked for: the egress proxy is the only way out */
  readonly egressProxyUrl: string
  /** the browser processes' whole environment (browserEnvironment() of the runner's) */
  readonly env: Readonly<Record<string, string>>
  /** Chromium's sandbox: 'auto' = on unless the runner is root, and off for good after a launch that finds none usable */
  readonly sandbox?: SandboxMode
  /** root: the sandbox's default, and Chromium may raise its own threads' priority (prevented by niced-exec.sh with setpriv, else undone after each launch) */
  readonly runningAsRoot?: boolean
  /** root: niced-exec.sh drops CAP_SYS_NICE from the browser (setpriv is on its PATH), so no walk after the launch is needed */
  readonly dropsNiceCap?: boolean
  /** every process of the permanent browser runs this much nicer than the runner, from its start (niced-exec.sh); 0 or absent: untouched */
  readonly nice?: number
  /** … and of every other browser (the launch variants' hot and cold pools); @default nice */
  readonly pooledNice?: number
}

export type SandboxMode = 'auto' | 'on' | 'off'

/** the lowest priority Linux has */
const MAX_NICE = 19

/** starts the browser at a nice (see the script); beside this code in the repository, and in dist/ beside the bundle */
export const NICED_EXEC = fileURLToPath(new URL('./niced-exec.sh', import.meta.url))

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
  launch(options: LaunchOptions, signal: AbortSignal, tier?: Tier): Promise<PlaywrightHandle>
}

export function createPlaywrightLauncher(o: PlaywrightLauncherOptions): PlaywrightLauncher {
  const baseArgs = o.baseArgs ?? BASE_CHROMIUM_ARGS
  const log = o.log ?? (() => undefined)
  const lockdown = egressLockdownArgs(o.egressProxyUrl)
  const mode = o.sandbox ?? 'auto'
  let sandbox = mode === 'on' || (mode === 'auto' && !o.runningAsRoot)
  // as root, Chromium raises some of its own threads (display-critical −8): unless niced-exec.sh drops the
  // capability to, each launch walks the tree back
  const reniceAfterLaunch = o.runningAsRoot === true && o.dropsNiceCap !== true

  async function launchOnce(options: LaunchOptions, signal: AbortSignal, withSandbox: boolean, nice: number | undefined): Promise<PlaywrightHandle> {
    signal.throwIfAborted()
    const locked = options.args.find((a) => LOCKED_FLAG_PREFIXES.some((p) => a.startsWith(p)))
    if (locked) throw new Error(`the launch flag ${locked} is the service's own`)
    const marker = `${MARKER_ARG_PREFIX}${randomUUID()}`
    const ownNice = getPriority()
    const niceTo = nice ? Math.min(MAX_NICE, ownNice + nice) : undefined
    const launching = chromium.launch({
      executablePath: niceTo === undefined ? o.executablePath : NICED_EXEC,
      headless: true,
      // the caller's flags first: ours come after them, and Chromium keeps the last of a flag
      args: [...baseArgs, ...options.args, DISABLE_FEATURES_ARG, ...lockdown, marker],
      ignoreDefaultArgs: [PLAYWRIGHT_DISABLE_FEATURES_ARG],
      // a caller's proxy is the egress proxy's upstream (per request context), never the browser's;
      // Playwright adds <-loopback> to the bypass list, so loopback goes through the proxy too
      proxy: { server: o.egressProxyUrl },
      env: {
        ...o.env,
        ...(niceTo !== undefined && {
          CRAWLFLEET_BROWSER_EXECUTABLE: o.executablePath,
          CRAWLFLEET_BROWSER_NICE: String(niceTo),
          CRAWLFLEET_BROWSER_NICE_BY: String(niceTo - ownNice),
        }),
      },
      chromiumSandbox: withSandbox,
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
    if (handle.pid !== undefined) void checkFlags(handle.pid, log)
    // puts back the threads raised by now, not those raised later; unprivileged, or with the capability
    // dropped, the script already gave every process and the session's group the nice
    if (niceTo !== undefined && reniceAfterLaunch && handle.pid !== undefined) await reniceTree(handle.pid, niceTo)
    return handle
  }

  return {
    async launch(options, signal, tier = 'permanent') {
      const nice = tier === 'permanent' ? o.nice : (o.pooledNice ?? o.nice)
      try {
        return await launchOnce(options, signal, sandbox, nice)
      } catch (err) {
        if (!sandbox || mode !== 'auto' || signal.aborted || !isSandboxFailure(err)) throw err
        sandbox = false
        log('chromium.sandbox_unavailable', { reason: firstLine(err) })
        return launchOnce(options, signal, false, nice)
      }
    },
  }
}

/** Chromium could not set up its sandbox (no user namespaces, no setuid helper, running as root). */
function isSandboxFailure(err: unknown): boolean {
  return /No usable sandbox|Failed to move to new namespace|without --no-sandbox|zygote_host/i.test(err instanceof Error ? err.message : String(err))
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n').find((l) => /sandbox|namespace/i.test(l)) ?? String(err).slice(0, 200)
}

/** Exactly one --disable-features (ours): a Playwright upgrade that changes its list would add a second. */
async function checkFlags(pid: number, log: (event: string, fields: object) => void): Promise<void> {
  const args = await readCommandLine(pid)
  const disableFeatures = args.filter((a) => a.startsWith('--disable-features='))
  if (disableFeatures.length !== 1 || disableFeatures[0] !== DISABLE_FEATURES_ARG) log('chromium.flags_drift', { disableFeatures })
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
