// The fleet dashboard on AWS: the built app (web/dist) in a private S3 bucket, served only through
// CloudFront with origin access control, HTTPS only, with the same security headers as `npm start` and a
// runtime config.json naming the API. The stack gives the API's CORS the distribution's origin.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type CfnElement,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy } from './web-headers.js';

const WEB_ROOT = new URL('../web/', import.meta.url).pathname;

export class WebSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the origin the API's CORS must allow. */
  readonly origin: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only build output lives here: every deploy writes it again.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public build of the dashboard, read by CloudFront alone; requests are what CloudFront would log, and there is nothing private to audit.',
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'evsessions dashboard: strict CSP and security headers',
      securityHeadersBehavior: {
        // The API's id is not known before the API exists, and the API's CORS needs this distribution's
        // domain first: connect-src names the region's API Gateway endpoints instead of the one API.
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy([
            `https://*.execute-api.${stack.region}.${stack.urlSuffix}`,
          ]),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'evsessions fleet dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        responseHeadersPolicy: headers,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Fleet managers work from anywhere; the app is public code and every API call needs a token.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only: the API behind it has its own throttling and authorizer; a WAF here would guard nothing secret.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Access logs of a static bundle say little; the API keeps its own access logs, which is where requests with data are.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS floor cannot be set; adding a domain and certificate is where TLS 1.2 as a minimum is configured.',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }

  /** Uploads the built app and a config.json that tells it where the API is (read at load, not built in). */
  deploy(apiUrl: string): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      distribution: this.distribution,
      sources: [
        Source.asset(WEB_ROOT, {
          exclude: ['dist', '.dist-*', 'test'],
          bundling: {
            // Never used: the local build below always runs (no Docker needed, as for the functions).
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
            local: {
              tryBundle(outputDir: string) {
                execFileSync(
                  process.execPath,
                  [
                    join(WEB_ROOT, '../node_modules/vite/bin/vite.js'),
                    'build',
                    '--config',
                    join(WEB_ROOT, 'vite.config.ts'),
                    '--outDir',
                    outputDir,
                    '--emptyOutDir',
                    '--logLevel',
                    'warn',
                  ],
                  { stdio: 'inherit' },
                );
                return true;
              },
            },
          },
        }),
        // After the build, so it replaces the build's own config.json (same origin, for `npm start`).
        Source.jsonData('config.json', { apiUrl }),
      ],
    });
    // BucketDeployment's copying function is one CDK-provided singleton for the whole stack. Each of its
    // findings is acknowledged by its exact id, so a new permission in a later aws-cdk-lib shows up.
    const stack = Stack.of(this);
    // cdk-nag names a pseudo parameter as <AWS::Region> and a concrete environment as itself (a known region
    // also makes the partition concrete: `arn:aws:…` in us-east-1).
    const named = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const bucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>`;
    const wildcards: [string, string][] = [
      ['Action::s3:GetBucket*', 'reads the asset and dashboard buckets it copies between'],
      ['Action::s3:GetObject*', 'reads the uploaded build from the CDK asset bucket'],
      ['Action::s3:List*', 'lists both buckets to copy and prune'],
      ['Action::s3:Abort*', 'aborts its own multipart uploads into the dashboard bucket'],
      ['Action::s3:DeleteObject*', 'prunes files of earlier builds from the dashboard bucket'],
      [
        `Resource::arn:${named(stack.partition, 'AWS::Partition')}:s3:::cdk-hnb659fds-assets-${named(stack.account, 'AWS::AccountId')}-${named(stack.region, 'AWS::Region')}/*`,
        'reads objects of the CDK bootstrap asset bucket, where the build is uploaded under a content hash',
      ],
      [`Resource::${bucketArn}/*`, 'writes every object of the dashboard bucket, and only that bucket'],
      ['Resource::*', 'creates CloudFront invalidations, which IAM cannot narrow to one distribution here'],
    ];
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's BucketDeployment function logs through the AWS-managed basic execution policy; it runs only while deploying.",
        },
        {
          id: 'AwsSolutions-L1',
          reason:
            "CDK's BucketDeployment function runs on the runtime aws-cdk-lib picks for it, moving with its upgrades; it runs only while deploying.",
        },
        ...wildcards.map(([finding, why]) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: `CDK's BucketDeployment function (deploy time only) ${why}.`,
        })),
      );
    }
    return deployment;
  }
}
