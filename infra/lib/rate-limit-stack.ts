import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib'
import type { Construct } from 'constructs'
import { RateLimitAcl } from './rate-limit-acl.ts'

export interface RateLimitStackProps extends StackProps {
  readonly limitPer5Min: number
}

/** The WebACL alone, in us-east-1, for a main stack deployed in another region. */
export class RateLimitStack extends Stack {
  constructor(scope: Construct, id: string, props: RateLimitStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: 'us-east-1' } })
    const acl = new RateLimitAcl(this, 'RateLimit', { limitPer5Min: props.limitPer5Min })
    new CfnOutput(this, 'WebAclArn', { value: acl.arn, description: 'pass as -c crawlfleet:webAclArn=<this> when deploying the main stack' })
  }
}
