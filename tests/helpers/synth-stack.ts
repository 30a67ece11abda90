import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { cdkJsonContext } from '../../infra/lib/crawlfleet-app.ts'
import { CrawlfleetStack } from '../../infra/lib/crawlfleet-stack.ts'
import { readSettings } from '../../infra/lib/settings.ts'

export interface SynthOptions {
  /** crawlfleet:<key> values, without the prefix */
  readonly context?: Record<string, string | number>
  /** @default 'us-east-1' */
  readonly region?: string
  /** @default a stub handler; pass null to bundle edge/lambda.ts for real */
  readonly edgeCode?: lambda.Code | null
  readonly edgeEntry?: string
  /** @default the runner/Dockerfile asset; a registry image skips hashing the repository */
  readonly runnerImage?: ecs.ContainerImage
}

/** A fresh temporary cloud-assembly directory; `remove` deletes it. */
export function tempOutdir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'crawlfleet-cdk-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * One stack the way infra/bin/app.ts builds it (cdk.json's feature flags, context → settings, no
 * account, a concrete region), synthesised into `outdir`. The caller removes the directory.
 */
export function synthStack(outdir: string, o: SynthOptions = {}) {
  const crawlfleet = Object.fromEntries(Object.entries(o.context ?? {}).map(([k, v]) => [`crawlfleet:${k}`, v]))
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...crawlfleet } })
  const stack = new CrawlfleetStack(app, 'Crawlfleet', {
    env: { region: o.region ?? 'us-east-1' },
    settings: readSettings(app.node),
    edgeCode: o.edgeCode === null ? undefined : (o.edgeCode ?? lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })')),
    edgeEntry: o.edgeEntry,
    runnerImage: o.runnerImage,
  })
  return { app, stack, template: Template.fromStack(stack) }
}
