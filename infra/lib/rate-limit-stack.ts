import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { WebAcl } from './web-acl.ts'

export interface RateLimitStackProps extends StackProps {
  readonly limitPer5Min: number
  readonly limitPerKeyPer5Min: number
  readonly logRetention?: logs.RetentionDays
}

/** The WebACL alone (managed rules, rate limits, logging), in us-east-1, for a main stack deployed in another region. */
export class RateLimitStack extends Stack {
  constructor(scope: Construct, id: string, props: RateLimitStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: 'us-east-1' } })
    const acl = new WebAcl(this, 'RateLimit', props)
    new CfnOutput(this, 'WebAclArn', { value: acl.arn, description: 'pass as -c crawlfleet:webAclArn=<this> when deploying the main stack' })
  }
}
