// One runner process: config from the environment → real deps → startRunner. The only env reader.
import { chromium } from 'playwright-core'
import { readRunnerConfig } from './config.ts'
import { findChromium, isExecutableFile } from './browser/find-chromium.ts'
import { browserEnvironment } from './browser/browser-env.ts'
import { createPlaywrightLauncher } from './browser/launcher-playwright.ts'
import { treePssBytes } from './browser/process-tree.ts'
import { readLlmConfig } from './llm/config.ts'
import { createOpenAiClient } from './llm/openai-client.ts'
import { systemResourceReader } from './resources/resource-reader.ts'
import { createCloudWatchPublisherFromEnv } from './metrics/cloudwatch-publisher.ts'
import { startRunner } from './runner.ts'
import { systemClock } from './util/clock.ts'
import { createLogger } from './util/logger.ts'

const config = readRunnerConfig(process.env)
const log = createLogger({ name: 'runner', level: config.logLevel })

const executablePath = findChromium({
  env: process.env,
  playwrightPath: () => chromium.executablePath(),
  isExecutable: isExecutableFile,
})
const llmConfig = readLlmConfig(process.env)

const runner = await startRunner(config, {
  clock: systemClock,
  launcher: ({ egressProxyUrl }) =>
    createPlaywrightLauncher({
      executablePath,
      egressProxyUrl,
      env: browserEnvironment(process.env),
      sandbox: config.chromiumSandbox,
      runningAsRoot: process.getuid?.() === 0,
      log: (event, fields) => log.warn({ event, ...fields }),
    }),
  resources: systemResourceReader(),
  measureBrowserBytes: async (pid) => (pid ? treePssBytes(pid) : 0),
  llm: llmConfig && createOpenAiClient(llmConfig),
  log,
  nowWallMs: () => Date.now(),
}).catch((err: unknown) => {
  log.fatal({ err }, 'runner failed to start')
  process.exit(1)
})
log.info({ event: 'chromium', executablePath }, `chromium: ${executablePath}`)

// pool-pressure metrics to CloudWatch when an AWS region is configured; off locally
const publisher = createCloudWatchPublisherFromEnv(process.env, runner.stats, log)
publisher?.start()

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    Promise.all([runner.stop(), publisher?.stop()]).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  })
}
