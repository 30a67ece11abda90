/** Flags every browser starts with. The first five keep Chromium from calling home on a closed network. */
export const BASE_CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage', // Fargate and many containers have a tiny /dev/shm
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
] as const
