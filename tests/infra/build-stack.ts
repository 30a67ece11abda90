import { App, Stack, type CfnElement } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import type { IConstruct } from 'constructs'
import { CrawlfleetStack } from '../../infra/lib/crawlfleet-stack.ts'
import { readSettings } from '../../infra/lib/settings.ts'

export interface BuildOptions {
  readonly context?: Record<string, string | number>
  /** @default 'us-east-1' */
  readonly region?: string
  /** @default a stub handler; pass null to bundle edge/lambda.ts for real */
  readonly edgeCode?: lambda.Code | null
  readonly edgeEntry?: string
}

/** One stack the way infra/bin/app.ts builds it: context → settings, no account, a concrete region. */
export function buildStack(o: BuildOptions = {}) {
  const context = Object.fromEntries(Object.entries(o.context ?? {}).map(([k, v]) => [`crawlfleet:${k}`, v]))
  const app = new App({ context })
  const stack = new CrawlfleetStack(app, 'Crawlfleet', {
    env: { region: o.region ?? 'us-east-1' },
    settings: readSettings(app.node),
    edgeCode: o.edgeCode === null ? undefined : (o.edgeCode ?? lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })')),
    edgeEntry: o.edgeEntry,
  })
  return { app, stack, template: Template.fromStack(stack) }
}

/** The logical id CloudFormation knows a construct's main resource by. */
export function idOf(c: IConstruct): string {
  return Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement)
}

/** The Properties of one resource, by logical id. */
export function propsOf(template: Template, id: string): Record<string, any> {
  const r = template.toJSON().Resources[id]
  if (!r) throw new Error(`no resource ${id}`)
  return r.Properties
}

export interface Statement {
  Effect: string
  Action: string | string[]
  Resource: unknown
  Condition?: Record<string, Record<string, unknown>>
}

/** Every statement of every IAM policy in the template, with the policy's logical id. */
export function iamStatements(template: Template): { policy: string; statement: Statement }[] {
  const out: { policy: string; statement: Statement }[] = []
  for (const [policy, r] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of r.Properties.PolicyDocument.Statement as Statement[]) out.push({ policy, statement })
  }
  for (const [role, r] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const p of (r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
      for (const statement of p.PolicyDocument.Statement) out.push({ policy: role, statement })
    }
  }
  return out
}
