import { HEADER } from '../../runner/contract/http-names.ts'
import { Duration } from 'aws-cdk-lib'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import type { OriginAccess } from './settings.ts'

/** The header CloudFront adds in origin-secret mode; the edge compares it with CRAWLFLEET_ORIGIN_SECRET_ARN's value. */
export const ORIGIN_SECRET_HEADER = HEADER.originSecret
/** CloudFront's wait for the first byte (and between bytes); 120 s is the most without a quota increase. */
export const ORIGIN_READ_TIMEOUT_SEC = 120

export interface PublicEntryProps {
  readonly url: lambda.IFunctionUrl
  readonly originAccess: OriginAccess
  /** required in origin-secret mode */
  readonly originSecret?: secretsmanager.ISecret
  /** a CLOUDFRONT-scope WebACL ARN (rate limit per IP) */
  readonly webAclArn: string
  readonly domain?: { readonly name: string; readonly certificateArn: string }
}

/**
 * CloudFront in front of the edge's function URL: HTTPS, WAF, no caching, streaming passed through.
 *
 * `oac` is AWS's native lock (the URL takes only CloudFront's signed requests) but CloudFront then
 * overwrites `Authorization` and Lambda rejects POST bodies unless the client sends
 * `x-amz-content-sha256`, so Bearer clients break. `origin-secret` keeps the API as designed: the
 * URL is public and CloudFront adds a secret header the edge can check.
 */
export class PublicEntry extends Construct {
  readonly distribution: cloudfront.Distribution

  constructor(scope: Construct, id: string, props: PublicEntryProps) {
    super(scope, id)
    const timeouts = { readTimeout: Duration.seconds(ORIGIN_READ_TIMEOUT_SEC), keepaliveTimeout: Duration.seconds(60) }
    let origin: cloudfront.IOrigin
    if (props.originAccess === 'oac') {
      origin = origins.FunctionUrlOrigin.withOriginAccessControl(props.url, timeouts)
    } else {
      if (!props.originSecret) throw new Error('origin-secret mode needs originSecret')
      // resolved by CloudFormation at deploy ({{resolve:secretsmanager:…}}); never in the template
      origin = new origins.FunctionUrlOrigin(props.url, { ...timeouts, customHeaders: { [ORIGIN_SECRET_HEADER]: props.originSecret.secretValue.unsafeUnwrap() } })
    }
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
}
