import { HEADER } from '../../runner/contract/http-names.ts'
import { Duration, SecretValue } from 'aws-cdk-lib'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'

/** The header CloudFront adds; the edge compares it with the origin secret's current and previous values. */
export const ORIGIN_SECRET_HEADER = HEADER.originSecret
/** CloudFront's wait for the first byte (and between bytes); 120 s is the most without a quota increase. */
export const ORIGIN_READ_TIMEOUT_SEC = 120

export interface PublicEntryProps {
  readonly url: lambda.IFunctionUrl
  readonly originSecret: secretsmanager.ISecret
  /**
   * the origin secret's version CloudFront sends. CloudFormation resolves a secret reference only
   * when the resource holding it changes, so naming a new version is what updates the
   * distribution after a rotation. @default the version current at the first deploy
   */
  readonly originSecretVersion?: string
  /** a CLOUDFRONT-scope WebACL ARN */
  readonly webAclArn: string
  readonly domain?: { readonly name: string; readonly certificateArn: string }
}

/**
 * CloudFront in front of the edge's function URL: HTTPS, WAF, no caching, streaming passed
 * through. The URL is public (auth NONE); CloudFront adds a secret header the edge checks, so
 * clients call the API as designed (`Authorization: Bearer`, plain POST bodies).
 *
 * (CloudFront's origin access control for Lambda was the alternative and is not offered: it signs
 * every request in place of the client's Authorization header, and Lambda then takes a POST only
 * with the client's own x-amz-content-sha256 of the body, which no Bearer client sends.)
 */
export class PublicEntry extends Construct {
  readonly distribution: cloudfront.Distribution

  constructor(scope: Construct, id: string, props: PublicEntryProps) {
    super(scope, id)
    // {{resolve:secretsmanager:…}}: resolved by CloudFormation at deploy, never written into the template
    const header = SecretValue.secretsManager(props.originSecret.secretArn, { versionId: props.originSecretVersion })
    const origin = new origins.FunctionUrlOrigin(props.url, {
      readTimeout: Duration.seconds(ORIGIN_READ_TIMEOUT_SEC),
      keepaliveTimeout: Duration.seconds(60),
      customHeaders: { [ORIGIN_SECRET_HEADER]: header.unsafeUnwrap() },
    })
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'crawlfleet API',
      defaultBehavior: {
        origin,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // everything but Host: a function URL answers only to its own host name
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // an API: a redirect would turn POSTs into GETs
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        compress: false,
      },
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      // with the default *.cloudfront.net certificate the TLS floor is fixed by CloudFront
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    })
  }

  /**
   * CloudFront's share of responses that were 5xx, in % (AWS/CloudFront, published in us-east-1
   * only). Built here rather than with distribution.metric5xxErrorRate(), which leaves out the
   * Region=Global dimension every CloudFront metric carries, so an alarm on it never gets data.
   */
  metric5xxErrorRate(props: { period?: Duration } = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName: '5xxErrorRate',
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      statistic: cloudwatch.Stats.AVERAGE,
      period: props.period ?? Duration.minutes(1),
    })
  }
}
