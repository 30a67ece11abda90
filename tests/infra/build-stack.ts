import { App, Stack, type AppProps, type CfnElement } from 'aws-cdk-lib'
import type { Template } from 'aws-cdk-lib/assertions'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import type { IConstruct } from 'constructs'
import { afterAll } from 'vitest'
import { cdkJsonContext } from '../../infra/lib/crawlfleet-app.ts'
import { synthStack, tempOutdir, type SynthOptions } from '../helpers/synth-stack.ts'

export interface BuildOptions extends Omit<SynthOptions, 'runnerImage'> {
  /** @default a registry image (no hashing of the repository); null for the runner/Dockerfile asset, as `cdk synth` builds it */
  readonly runnerImage?: ecs.ContainerImage | null
}

/** The image the tests give the task definition unless they look at the asset itself. */
export const STUB_RUNNER_IMAGE = 'public.ecr.aws/crawlfleet/runner-test:stub'

// Every app of a test file synthesises into a directory of its own, removed when the file is done:
// an App without an outdir would leave a cdk.outXXXX directory in the temp directory per app.
const outdirs: { remove(): void }[] = []
afterAll(() => {
  for (const d of outdirs.splice(0)) d.remove()
})

function outdir(): string {
  const d = tempOutdir()
  outdirs.push(d)
  return d.dir
}

/** One stack the way infra/bin/app.ts builds it: cdk.json's flags, context → settings, no account, a concrete region. */
export function buildStack(o: BuildOptions = {}) {
  const runnerImage = o.runnerImage === null ? undefined : (o.runnerImage ?? ecs.ContainerImage.fromRegistry(STUB_RUNNER_IMAGE))
  return synthStack(outdir(), { ...o, runnerImage })
}

/** A bare App with cdk.json's flags, writing into a directory removed after the file's tests. */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, outdir: outdir(), context: { ...cdkJsonContext(), ...props.context } })
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
