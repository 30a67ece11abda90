import * as wafv2 from 'aws-cdk-lib/aws-wafv2'
import { Construct } from 'constructs'

export interface RateLimitAclProps {
  /** requests one IP may send in 5 minutes before WAF answers 429 */
  readonly limitPer5Min: number
}

/** A CLOUDFRONT-scope WebACL with one per-IP rate rule. CloudFront scope exists only in us-east-1. */
export class RateLimitAcl extends Construct {
  readonly acl: wafv2.CfnWebACL

  constructor(scope: Construct, id: string, props: RateLimitAclProps) {
    super(scope, id)
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true })
    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('crawlfleet-acl'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          statement: { rateBasedStatement: { limit: props.limitPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          // 429 like the runners' own refusals (no Retry-After: WAF would rename it x-amzn-waf-retry-after)
          action: { block: { customResponse: { responseCode: 429 } } },
          visibilityConfig: visibility('crawlfleet-rate-per-ip'),
        },
      ],
    })
  }

  get arn(): string {
    return this.acl.attrArn
  }
}
