// How every Lambda is bundled: esbuild, ESM, minified, for Node.js 24 on arm64, with the AWS SDK v3 left
// to the Lambda runtime (it ships it). The CDK stack and the bundle-size/cold-start benchmark both use
// these options, so the benchmark measures what is deployed.

import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
export const ESBUILD_TARGET = 'node24';

/** Middy 7 is ESM-only; packages that still `require()` inside an ESM bundle need this shim. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __evsCreateRequire } from 'node:module'; const require = __evsCreateRequire(import.meta.url);";

export const EXTERNAL_MODULES = ['@aws-sdk/*'];

export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: false,
  target: ESBUILD_TARGET,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  externalModules: EXTERNAL_MODULES,
};
