// One runner process: the environment → config (runner/config.ts, the only reader) → real deps → startRunner.
import { chromium } from 'playwright-core'
import { readRunnerConfig } from './config.ts'
import { findChromium, isExecutableFile, isOnPath } from './browser/find-chromium.ts'
import { browserEnvironment } from './browser/browser-env.ts'
import { createPlaywrightLauncher } from './browser/launcher-playwright.ts'
import { treePssBytes } from './browser/process-tree.ts'
import { createOpenAiClient } from './llm/openai-client.ts'
import { systemResourceReader } from './resources/resource-reader.ts'
import { startRunner } from './runner.ts'
import { redisLoadStoreWriter } from './metrics/load-publisher.ts'
import { systemClock } from './util/clock.ts'
import { createLogger } from './util/logger.ts'

const config = readRunnerConfig(process.env)
const log = createLogger({ name: 'runner', level: config.logLevel })

const executablePath = findChromium({
  configured: config.chromiumPath,
  playwrightPath: () => chromium.executablePath(),
  isExecutable: isExecutableFile,
})

const browserEnv = browserEnvironment(process.env)
const runningAsRoot = process.getuid?.() === 0

const runner = await startRunner(config, {
  clock: systemClock,
  launcher: ({ egressProxyUrl }) =>
    createPlaywrightLauncher({
      executablePath,
      egressProxyUrl,
      env: browserEnv,
      sandbox: config.chromiumSandbox,
      nice: config.chromiumNice,
      pooledNice: config.pooledChromiumNice,
      runningAsRoot,
      // niced-exec.sh looks for setpriv on the browser's PATH as this does
      dropsNiceCap: runningAsRoot && isOnPath('setpriv', browserEnv.PATH),
      log: (event, fields) => log.warn({ event, ...fields }),
    }),
  resources: systemResourceReader({ ecsMetadataUri: config.ecsMetadataUri }),
  measureBrowserBytes: async (pid) => (pid ? treePssBytes(pid) : 0),
  llm: config.llm && createOpenAiClient(config.llm),
  loadStore: config.loadStore && (await redisLoadStoreWriter(config.loadStore.url)),
  log,
  nowWallMs: () => Date.now(),
}).catch((err: unknown) => {
  log.fatal({ err }, 'runner failed to start')
  process.exit(1)
})
log.info({ event: 'chromium', executablePath }, `chromium: ${executablePath}`)
// a parent that started us with an IPC channel (npm start, the tests) learns the port we got, even PORT=0's
process.send?.({ event: 'listening', url: runner.url, port: runner.port })

// pool-pressure metrics to CloudWatch when an AWS region is configured; off locally
// the AWS SDK loads only when publishing is on (~18 MB RSS: README, "Memory")
const publisher = config.cloudwatch ? (await import('./metrics/cloudwatch-publisher.ts')).cloudWatchPublisherFor(config.cloudwatch, runner.stats, log) : null
publisher?.start()

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  Promise.all([runner.stop(), publisher?.stop()]).then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'shutdown failed')
      process.exit(1)
    },
  )
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop)
// a parent that holds our IPC channel (npm start, the tests) and dies without stopping us, even by
// SIGKILL, closes the channel: stop as on SIGTERM rather than run on as an orphan
process.once('disconnect', () => {
  log.warn({ event: 'runner.parent_gone' }, 'the parent process is gone: stopping')
  stop()
})
