import * as iam from 'aws-cdk-lib/aws-iam'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'

export interface SecretsProps {
  /** a third secret, the header CloudFront adds so the edge can tell its traffic from direct calls. @default false */
  readonly originSecret?: boolean
}

/** Generated at deploy; the values never appear in the template. */
export class Secrets extends Construct {
  /** comma-separated API keys or their SHA-256 hashes; the generated value is the first key */
  readonly apiKeys: secretsmanager.Secret
  /** the edge → runner HMAC key */
  readonly hmac: secretsmanager.Secret
  readonly origin: secretsmanager.Secret | undefined

  constructor(scope: Construct, id: string, props: SecretsProps = {}) {
    super(scope, id)
    const generated = (length: number) => ({ passwordLength: length, excludePunctuation: true, includeSpace: false })
    this.apiKeys = new secretsmanager.Secret(this, 'ApiKeys', {
      description: 'crawlfleet API keys: comma-separated keys or SHA-256 hashes of keys',
      generateSecretString: generated(40),
    })
    this.hmac = new secretsmanager.Secret(this, 'Hmac', {
      description: 'crawlfleet edge-to-runner HMAC key',
      generateSecretString: generated(64),
    })
    this.origin = props.originSecret
      ? new secretsmanager.Secret(this, 'Origin', { description: 'crawlfleet CloudFront-to-edge origin header value', generateSecretString: generated(48) })
      : undefined
  }

  /** GetSecretValue on exactly these secrets: not DescribeSecret, not the KMS key (the AWS-managed one). */
  grantEdgeRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.apiKeys, this.hmac, ...(this.origin ? [this.origin] : [])].map((s) => s.secretArn),
    })
  }
}
