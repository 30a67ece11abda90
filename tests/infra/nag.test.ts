import { Stack, Validations } from 'aws-cdk-lib'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../infra/lib/crawlfleet-app.ts'
import { buildStack, testApp } from './build-stack.ts'
import { tempOutdir } from '../helpers/synth-stack.ts'

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

// every case synthesises and checks a whole stack: seconds alone, much longer on a busy machine
describe('cdk-nag AwsSolutions', { timeout: 180_000 }, () => {
  it.each([
    ['defaults (origin secret, us-east-1, CloudFront certificate)', {}],
    ['egress public, minRunners 0, a paging topic', { context: { egress: 'public', minRunners: 0, alarmPageEmail: 'oncall@example.com' } }],
    ['custom domain', { context: { domainName: 'render.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd' } }],
    ['eu-west-1 with a WebACL ARN', { region: 'eu-west-1', context: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' } }],
  ])('reports no unacknowledged error: %s', (_name, options) => {
    expect(errors(buildStack(options).stack)).toEqual([])
  })

  it('does report an unacknowledged finding (the empty lists above are not vacuous)', () => {
    const stack = new Stack(testApp(), 'Bare', { env: { region: 'us-east-1' } })
    new secretsmanager.Secret(stack, 'Secret')
    expect(errors(stack)).toEqual([expect.stringMatching(/^AwsSolutions-SMG4: Bare\/Secret/)])
  })

  it('runs at synthesis in the app infra/bin/app.ts makes: an unacknowledged error fails the synth, an acknowledged one does not', () => {
    const out = tempOutdir()
    try {
      const app = createApp({ outdir: out.dir })
      const stack = new Stack(app, 'Bare', { env: { region: 'us-east-1' } })
      const secret = new secretsmanager.Secret(stack, 'Secret')
      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/)
      const acknowledged = createApp({ outdir: out.dir })
      const ok = new Stack(acknowledged, 'Bare', { env: { region: 'us-east-1' } })
      Validations.of(new secretsmanager.Secret(ok, 'Secret')).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'a test secret that is never deployed' })
      expect(() => acknowledged.synth()).not.toThrow()
      expect(secret.node.path).toBe('Bare/Secret')
    } finally {
      out.remove()
    }
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
