const MiB = 1024 * 1024

/** A young generation of 2 MiB semi-spaces instead of 16: idle RSS falls by tens of MB, throughput barely moves (pages are in Chromium). */
export const SEMI_SPACE_MIB = 2
/** The runner's share of its container for the V8 old generation: the rest is Chromium's. */
export const OLD_SPACE_FRACTION = 1 / 8
export const OLD_SPACE_MIN_MIB = 192
export const OLD_SPACE_MAX_MIB = 1024

/**
 * Node flags for a runner process in a container of `memoryLimitBytes` (undefined: unknown). A
 * process cannot size its own heap once started, so whoever spawns it passes these: the local
 * stack computes them from its cgroup (process.constrainedMemory()); the image sets NODE_OPTIONS
 * for the task size it is deployed at (runner/Dockerfile).
 */
export function runnerNodeFlags(memoryLimitBytes: number | undefined): string[] {
  const flags = [`--max-semi-space-size=${SEMI_SPACE_MIB}`]
  if (memoryLimitBytes && Number.isFinite(memoryLimitBytes) && memoryLimitBytes > 0) {
    const mib = Math.round(Math.min(OLD_SPACE_MAX_MIB, Math.max(OLD_SPACE_MIN_MIB, (memoryLimitBytes * OLD_SPACE_FRACTION) / MiB)))
    flags.push(`--max-old-space-size=${mib}`)
  }
  return flags
}

/**
 * glibc malloc settings for the runner's environment, read once at process start (so whoever spawns
 * the runner sets them, as with the flags above). A fixed trim threshold stops glibc from raising its
 * mmap and trim thresholds each time a large block is freed: loading Playwright's 7 MB of bundles
 * does that, and ~26 MB of freed memory then stays resident for the life of the process. Two arenas
 * instead of 8 a core for the worker threads. Measured: README, "Memory".
 */
export const RUNNER_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' }
