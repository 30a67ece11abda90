import { defineConfig } from 'vitest/config'

// One command runs every test. Unit tests take milliseconds; integration and cluster tests drive
// real Chromium, so on a 2-core machine they get generous timeouts and at most two files at once.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    // The runners the tests start keep every Chromium (the default one and the launch variants') at the runner's own priority. A test machine is shared
    // with other work (CI's, or `yes` loops proving the suite under load), and where the kernel
    // schedules each session as a group (autogroup) a niced browser session yields to all of it, not
    // only to its runner: a 50 MB page then ran past its 60 s page_timeout. The nice has its own test
    // (tests/integration/pool-chromium.test.ts, which asks for it explicitly); the benchmarks run the defaults.
    env: { CRAWLFLEET_CHROMIUM_NICE: '0', CRAWLFLEET_POOLED_CHROMIUM_NICE: '0' },
  },
})
