import { Match, Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { ORIGIN_SECRET_HEADER } from '../../infra/lib/public-entry.ts'
import { RateLimitStack } from '../../infra/lib/rate-limit-stack.ts'
import { buildStack, idOf, propsOf, testApp } from './build-stack.ts'

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac'
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/crawlfleet/0123'

const distributionOf = (b: ReturnType<typeof buildStack>) => propsOf(b.template, idOf(b.stack.entry.distribution)).DistributionConfig

describe('PublicEntry (origin-secret, the default)', () => {
  const built = buildStack()
  const { stack, template } = built
  const config = distributionOf(built)

  it('sends everything to the function URL uncached, HTTPS only, with a long enough origin timeout', () => {
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
      ViewerProtocolPolicy: 'https-only',
    })
    expect(config.Origins).toHaveLength(1)
    expect(config.Origins[0].DomainName).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [idOf(stack.edge.url), 'FunctionUrl'] }] }] })
    expect(config.Origins[0].CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginReadTimeout: 120 })
  })

  it('adds the origin secret header from Secrets Manager, resolved at deploy and never written into the template', () => {
    expect(config.Origins[0].OriginCustomHeaders).toEqual([
      { HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: idOf(stack.secrets.origin) }, ':SecretString:::}}']] } },
    ])
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0)
    // the function URL is public: the origin header and the API key are the edge's checks
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' })
  })

  it('pins the origin secret version when one is given, so a rotation changes the distribution and CloudFormation resolves the new value', () => {
    const version = 'a1b2c3d4-0000-4000-8000-1234567890ab'
    const rotated = distributionOf(buildStack({ context: { originSecretVersion: version } }))
    expect(rotated.Origins[0].OriginCustomHeaders[0].HeaderValue).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: idOf(stack.secrets.origin) }, `:SecretString:::${version}}}`]],
    })
  })

  it('attaches a CLOUDFRONT WebACL: AWS IP reputation and known bad inputs, then 429 past the per-key and per-IP rates', () => {
    const acl = Object.entries(template.findResources('AWS::WAFv2::WebACL'))
    expect(acl).toHaveLength(1)
    const [aclId, { Properties: p }] = acl[0]
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] })
    expect(p).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } })
    const tooMany = { Block: { CustomResponse: { ResponseCode: 429 } } }
    expect(p.Rules).toEqual([
      expect.objectContaining({ Priority: 0, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } }, OverrideAction: { None: {} } }),
      expect.objectContaining({ Priority: 1, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } }, OverrideAction: { None: {} } }),
      expect.objectContaining({
        Priority: 2,
        Statement: {
          RateBasedStatement: {
            Limit: 3000,
            EvaluationWindowSec: 300,
            AggregateKeyType: 'CUSTOM_KEYS',
            CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
          },
        },
        Action: tooMany,
      }),
      expect.objectContaining({ Priority: 3, Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } }, Action: tooMany }),
    ])
  })

  it('logs every WebACL request to an aws-waf-logs-* log group with retention, the Authorization header redacted', () => {
    const [aclId] = Object.keys(template.findResources('AWS::WAFv2::WebACL'))
    const logs = Object.entries(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: 'aws-waf-logs-Crawlfleet' } }))
    expect(logs).toHaveLength(1)
    expect(logs[0][1].Properties.RetentionInDays).toBe(30)
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      LogDestinationConfigs: [{ 'Fn::Join': ['', ['arn:aws:logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: logs[0][0] }]] }],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
    })
  })

  it('takes the rates from context', () => {
    const { template: t } = buildStack({ context: { rateLimitPer5Min: 300, rateLimitPerKeyPer5Min: 600 } })
    const rules = Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules as { Name: string; Statement: { RateBasedStatement?: { Limit: number } } }[]
    expect(Object.fromEntries(rules.filter((r) => r.Statement.RateBasedStatement).map((r) => [r.Name, r.Statement.RateBasedStatement!.Limit]))).toEqual({ 'rate-per-key': 600, 'rate-per-ip': 300 })
  })
})

describe('PublicEntry variants', () => {
  it('oac: no longer offered, and a context that asks for it stops the synth saying why', () => {
    expect(() => buildStack({ context: { originAccess: 'oac' } })).toThrow(/oac mode is removed/)
  })

  it('outside us-east-1: uses the WebACL ARN it is given and makes none', () => {
    const built = buildStack({ region: 'eu-west-1', context: { webAclArn: WEB_ACL_ARN } })
    built.template.resourceCountIs('AWS::WAFv2::WebACL', 0)
    expect(distributionOf(built).WebACLId).toBe(WEB_ACL_ARN)
  })

  it('outside us-east-1 without a WebACL ARN: refuses to synthesise, saying what to do', () => {
    expect(() => buildStack({ region: 'eu-west-1' })).toThrow(/crawlfleet:rateLimitStack=true.*crawlfleet:webAclArn/)
  })

  it('custom domain: alias, the given us-east-1 certificate, TLS 1.2 at least', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abcd'
    const config = distributionOf(buildStack({ context: { domainName: 'render.example.com', certificateArn } }))
    expect(config.Aliases).toEqual(['render.example.com'])
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' })
  })

  it('the rate-limit stack: just the WebACL and its logging, always in us-east-1, its ARN as an output', () => {
    const stack = new RateLimitStack(testApp(), 'CrawlfleetRateLimit', { env: { region: 'eu-west-1' }, limitPer5Min: 500, limitPerKeyPer5Min: 900 })
    expect(stack.region).toBe('us-east-1')
    const template = Template.fromStack(stack)
    expect(Object.values(template.toJSON().Resources).map((r) => (r as { Type: string }).Type).sort()).toEqual(['AWS::Logs::LogGroup', 'AWS::WAFv2::LoggingConfiguration', 'AWS::WAFv2::WebACL'])
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' })
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-CrawlfleetRateLimit' })
    template.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } })
  })
})
