import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as wafv2 from 'aws-cdk-lib/aws-wafv2'
import { Construct } from 'constructs'

export interface WebAclProps {
  /** requests one IP may send in 5 minutes before WAF answers 429 */
  readonly limitPer5Min: number
  /** requests one API key (Authorization header value) may send in 5 minutes before WAF answers 429 */
  readonly limitPerKeyPer5Min: number
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays
}

/** AWS managed rule groups, in order; each blocks what its rules match. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet'] as const

/**
 * The CLOUDFRONT-scope WebACL in front of the API (CloudFront scope exists only in us-east-1):
 * AWS's IP reputation and known-bad-inputs rule groups, then a rate limit per API key and one per
 * IP, with every request logged to CloudWatch Logs (Authorization redacted).
 */
export class WebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL
  readonly logGroup: logs.LogGroup

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id)
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true })
    // 429 like the runners' own refusals (no Retry-After: WAF would rename it x-amzn-waf-retry-after)
    const tooMany = { block: { customResponse: { responseCode: 429 } } }
    const managed = MANAGED_RULE_GROUPS.map((name, i) => ({
      name,
      priority: i,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      overrideAction: { none: {} },
      visibilityConfig: visibility(`crawlfleet-${name}`),
    }))
    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('crawlfleet-acl'),
      rules: [
        ...managed,
        {
          name: 'rate-per-key',
          priority: managed.length,
          // keyed on the whole header, so each API key has its own budget; requests without one are not counted here
          statement: {
            rateBasedStatement: {
              limit: props.limitPerKeyPer5Min,
              evaluationWindowSec: 300,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          action: tooMany,
          visibilityConfig: visibility('crawlfleet-rate-per-key'),
        },
        {
          name: 'rate-per-ip',
          priority: managed.length + 1,
          statement: { rateBasedStatement: { limit: props.limitPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          action: tooMany,
          visibilityConfig: visibility('crawlfleet-rate-per-ip'),
        },
      ],
    })

    // WAF logs only to log groups named aws-waf-logs-*, in the WebACL's region (us-east-1)
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Stack.of(this).stackName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.acl.attrArn,
      // the log group's ARN without the ":*" suffix, as WAF wants it
      logDestinationConfigs: [
        Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      // API keys never reach the logs
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    })
    logging.node.addDependency(this.logGroup)
  }

  get arn(): string {
    return this.acl.attrArn
  }
}
