import { App, Stack, Validations } from 'aws-cdk-lib'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { buildStack } from './build-stack.ts'

// cdk-nag 3 is a CDK policy-validation plugin: validateScope() runs the AwsSolutions pack over the
// construct tree and honours Validations.of(construct).acknowledge(), the v3 form of NagSuppressions.
const errors = (stack: IConstruct) =>
  new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(stack)
    .violations.filter((v) => v.severity === 'error')
    .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)

const acknowledgements = (root: IConstruct): { path: string; id: string; reason: string }[] =>
  root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  )

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['defaults (origin secret, us-east-1, CloudFront certificate)', {}],
    ['oac', { context: { originAccess: 'oac' } }],
    ['custom domain', { context: { domainName: 'render.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd' } }],
    ['eu-west-1 with a WebACL ARN', { region: 'eu-west-1', context: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' } }],
  ])('reports no unacknowledged error: %s', (_name, options) => {
    expect(errors(buildStack(options).stack)).toEqual([])
  })

  it('does report an unacknowledged finding (the empty lists above are not vacuous)', () => {
    const stack = new Stack(new App(), 'Bare', { env: { region: 'us-east-1' } })
    new secretsmanager.Secret(stack, 'Secret')
    expect(errors(stack)).toEqual([expect.stringMatching(/^AwsSolutions-SMG4: Bare\/Secret/)])
  })

  it('gives every acknowledgement a written reason, and acknowledges the TLS floor only without a custom domain', () => {
    const plain = acknowledgements(buildStack().stack)
    expect(plain.length).toBeGreaterThanOrEqual(10)
    for (const a of plain) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(60)
    expect(plain.some((a) => a.id.endsWith('AwsSolutions-CFR4'))).toBe(true)
    const withDomain = acknowledgements(buildStack({ context: { domainName: 'render.example.com', certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' } }).stack)
    expect(withDomain.some((a) => a.id.endsWith('AwsSolutions-CFR4'))).toBe(false)
  })
})
