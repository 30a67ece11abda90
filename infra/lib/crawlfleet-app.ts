import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { App, Validations, type AppProps } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'

const CDK_JSON = fileURLToPath(new URL('../../cdk.json', import.meta.url))

/**
 * The CDK app with cdk-nag's AwsSolutions pack as a policy-validation plugin: synthesis fails on
 * any finding not acknowledged in nag-suppressions.ts, so `npm run synth` and `cdk deploy` stop
 * before a template with one is written.
 */
export function createApp(props: AppProps = {}): App {
  const app = new App(props)
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return app
}

/** The context in cdk.json (the recommended feature flags): what `cdk synth` gives the app, for apps made outside the CLI. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> }).context ?? {}
}
