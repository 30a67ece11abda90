import * as iam from 'aws-cdk-lib/aws-iam'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'

/**
 * Generated at deploy; the values never appear in the template. Each rotates without downtime
 * (infra/README.md): the API keys and the HMAC key are lists, and the edge accepts the origin
 * secret's current and previous versions.
 */
export class Secrets extends Construct {
  /** comma-separated API keys or their SHA-256 hashes; the generated value is the first key */
  readonly apiKeys: secretsmanager.Secret
  /** the edge → runner HMAC keys, comma-separated: the first signs, every one verifies */
  readonly hmac: secretsmanager.Secret
  /** the header CloudFront adds so the edge can tell its traffic from direct calls to the function URL */
  readonly origin: secretsmanager.Secret

  constructor(scope: Construct, id: string) {
    super(scope, id)
    const generated = (length: number) => ({ passwordLength: length, excludePunctuation: true, includeSpace: false })
    this.apiKeys = new secretsmanager.Secret(this, 'ApiKeys', {
      description: 'crawlfleet API keys: comma-separated keys or SHA-256 hashes of keys',
      generateSecretString: generated(40),
    })
    this.hmac = new secretsmanager.Secret(this, 'Hmac', {
      description: 'crawlfleet edge-to-runner HMAC keys, comma-separated: the first signs, all verify',
      generateSecretString: generated(64),
    })
    this.origin = new secretsmanager.Secret(this, 'Origin', { description: 'crawlfleet CloudFront-to-edge origin header value', generateSecretString: generated(48) })
  }

  /** GetSecretValue on exactly these secrets (any version stage): not DescribeSecret, not the KMS key (the AWS-managed one). */
  grantEdgeRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.apiKeys, this.hmac, this.origin].map((s) => s.secretArn),
    })
  }
}
