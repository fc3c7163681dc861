// How every Lambda is bundled: esbuild, ESM, minified, with a source map, for Node.js 24 on arm64, with
// the AWS SDK v3 left to the Lambda runtime. The values live in bundling-options.ts, shared with the benchmark.

import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, MAIN_FIELDS } from './bundling-options.js';

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  // A linked map beside index.mjs (NODE_OPTIONS=--enable-source-maps applies it): the bundle itself only
  // gains a sourceMappingURL line, so its size and cold start stay what bench/bundles.ts measures.
  sourceMap: true,
  target: ESBUILD_TARGET,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_BANNER,
  externalModules: EXTERNAL_MODULES,
};
