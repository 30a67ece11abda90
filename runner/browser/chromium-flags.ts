/**
 * Flags every browser starts with, and raw Playwright's in the benchmarks. The first five keep
 * Chromium from calling home on a closed network.
 */
export const BASE_CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage', // Fargate and many containers have a tiny /dev/shm
  '--no-default-browser-check',
  // window.open and target=_blank open nothing (window.open returns null, as under a popup blocker):
  // a page's popups are no part of its answer, and each one Playwright attaches to costs a target,
  // a renderer's work and CDP round trips (100 of them: 3.3 s, against 0.1 s blocked). The headless
  // shell honours it; full Chromium ignores it, and the session closes popups as they open.
  '--block-new-web-contents',
] as const

/**
 * Playwright's own --disable-features list (playwright-core 1.65, chromiumSwitches.ts). Chromium keeps
 * only the last --disable-features it is given, so ours replaces Playwright's (ignoreDefaultArgs) and
 * carries its features too. A Playwright upgrade that changes the list makes a second flag appear:
 * the launcher logs `chromium.flags_drift`, and the pool-chromium test fails, until this is updated.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
] as const

/** Features we turn off on top of Playwright's. */
export const OUR_DISABLED_FEATURES = ['Translate', 'DnsOverHttps'] as const

/** Playwright's flag exactly as it passes it: what `ignoreDefaultArgs` must name. */
export const PLAYWRIGHT_DISABLE_FEATURES_ARG = `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(',')}`

/** The one --disable-features every browser gets: Playwright's list and ours. */
export const DISABLE_FEATURES_ARG = `--disable-features=${[...new Set<string>([...PLAYWRIGHT_DISABLED_FEATURES, ...OUR_DISABLED_FEATURES])].join(',')}`

/**
 * What keeps every byte on the egress proxy, after any caller's flags so that none can undo it:
 * Chromium resolves no name itself (so no DNS prefetch or preconnect leaves the machine either; the
 * proxy gets names, not addresses; the rules cover IP literals too, so only the proxy's own address
 * is excluded), and WebRTC sends no UDP that does not go through a proxy (an HTTP proxy carries none,
 * so none at all; the headless shell honours the "force" switch, not --webrtc-ip-handling-policy).
 */
export function egressLockdownArgs(proxyUrl: string): string[] {
  const proxyHost = new URL(proxyUrl).hostname
  return [`--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE ${proxyHost}`, '--force-webrtc-ip-handling-policy=disable_non_proxied_udp']
}

/** Flags a launch may never take from a caller, whatever the allow-list says: they would undo the above. */
export const LOCKED_FLAG_PREFIXES = [
  '--proxy',
  '--no-proxy',
  '--host-resolver-rules',
  '--host-rules',
  '--webrtc',
  '--force-webrtc',
  '--disable-features',
  '--enable-features',
  '--no-sandbox',
  '--disable-web-security',
  '--remote-debugging',
  '--user-data-dir',
] as const
