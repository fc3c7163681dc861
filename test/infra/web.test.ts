// The dashboard as deployed: a private bucket read by CloudFront alone (origin access control), HTTPS only,
// the strict CSP and security headers, a config.json naming the API, the API's CORS allowing exactly the
// distribution's origin, and cdk-nag with nothing unacknowledged.

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, expect, it } from 'vitest';
import { EvSessionsStack } from '../../infra/stack.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };

let app: App;
let stack: EvSessionsStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  // Bundling skipped, as in stack.test.ts; the real build runs in `cdk synth`.
  app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  stack = new EvSessionsStack(app, 'WebStack');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

it('keeps the bucket private: all public access blocked, TLS enforced, read only by this distribution', () => {
  const buckets = ofType('AWS::S3::Bucket').filter(([id]) => id.startsWith('WebBucket'));
  expect(buckets).toHaveLength(1);
  const [bucketId, bucket] = buckets[0]!;
  expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1];
  const statements = policy.Properties.PolicyDocument.Statement as any[];
  expect(statements).toContainEqual(
    expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
  );
  const allows = statements.filter((s) => s.Effect === 'Allow');
  expect(allows.length).toBeGreaterThan(0);
  for (const allow of allows) {
    expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(JSON.stringify(allow.Condition)).toContain('AWS:SourceArn');
  }
});

it('serves it through CloudFront with origin access control, HTTPS only, and the strict security headers', () => {
  template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
    OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
  });
  template.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
      Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
    }),
  });
  const [, headers] = ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
  const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
  const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain('execute-api');
  expect(csp).not.toContain('unsafe');
  expect(security.StrictTransportSecurity).toMatchObject({
    AccessControlMaxAgeSec: 31_536_000,
    Override: true,
  });
  expect(security.ContentTypeOptions).toEqual({ Override: true });
  expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
});

it("deploys the app with a config.json naming the API, and the API's CORS allows the distribution's origin", () => {
  const [, deployment] = ofType('Custom::CDKBucketDeployment')[0]!;
  // config.json's apiUrl is this API's endpoint (the ApiUrl output: no trailing slash).
  const apiId = ofType('AWS::ApiGatewayV2::Api')[0]![0];
  expect(JSON.stringify(deployment.Properties.SourceMarkers)).toContain(
    `{"Fn::GetAtt":["${apiId}","ApiEndpoint"]}`,
  );
  const distributionId = ofType('AWS::CloudFront::Distribution')[0]![0];
  expect(deployment.Properties.DistributionId).toEqual({ Ref: distributionId });
  template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
    CorsConfiguration: Match.objectLike({
      AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] }],
      AllowCredentials: false,
    }),
  });
  template.hasOutput('WebAppUrl', {});
});

it('leaves cdk-nag nothing unacknowledged, each acknowledgement with its reason', () => {
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  expect(
    report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
  ).toEqual([]);
});

it('leaves cdk-nag nothing unacknowledged in a concrete environment too (the region makes ARNs literal)', () => {
  // `cdk deploy` with a profile resolves the account and region: the bootstrap bucket's ARN is then
  // `arn:aws:s3:::cdk-hnb659fds-assets-<account>-<region>/*`, not the pseudo-parameter form.
  const concrete = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const inRegion = new EvSessionsStack(concrete, 'WebStackInRegion', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const report = new AwsSolutionsChecks(concrete).validateScope(inRegion);
  expect(
    report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
  ).toEqual([]);
});
