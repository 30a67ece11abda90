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
  },
})
