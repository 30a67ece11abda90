import { App } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { ORIGIN_SECRET_HEADER } from '../../infra/lib/public-entry.ts'
import { RateLimitStack } from '../../infra/lib/rate-limit-stack.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

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
      { HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: idOf(stack.secrets.origin!) }, ':SecretString:::}}']] } },
    ])
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0)
  })

  it('attaches a CLOUDFRONT WebACL that answers 429 past the per-IP rate', () => {
    const acl = Object.entries(template.findResources('AWS::WAFv2::WebACL'))
    expect(acl).toHaveLength(1)
    const [aclId, { Properties: p }] = acl[0]
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] })
    expect(p).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } })
    expect(p.Rules).toEqual([
      expect.objectContaining({
        Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
        Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      }),
    ])
  })

  it('takes the rate from context', () => {
    buildStack({ context: { rateLimitPer5Min: 300 } }).template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 300 }) } })],
    })
  })
})

describe('PublicEntry variants', () => {
  it('oac: an OAC for Lambda, invoke rights for this distribution only, no secret header and no public invoke', () => {
    const built = buildStack({ context: { originAccess: 'oac' } })
    const { template, stack } = built
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    })
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((r) => r.Properties)
    expect(permissions.length).toBeGreaterThan(0)
    for (const p of permissions) {
      expect(p.Principal).toBe('cloudfront.amazonaws.com')
      expect(JSON.stringify(p.SourceArn)).toContain(idOf(stack.entry.distribution))
    }
    expect(distributionOf(built).Origins[0].OriginCustomHeaders).toBeUndefined()
    expect(stack.secrets.origin).toBeUndefined()
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

  it('the rate-limit stack: just the WebACL, always in us-east-1, its ARN as an output', () => {
    const stack = new RateLimitStack(new App(), 'CrawlfleetRateLimit', { env: { region: 'eu-west-1' }, limitPer5Min: 500 })
    expect(stack.region).toBe('us-east-1')
    const template = Template.fromStack(stack)
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(1)
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' })
    template.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } })
  })
})
