// The esbuild settings every Lambda is bundled with, as plain values: infra/bundling.ts hands them to CDK's
// NodejsFunction, and the benchmark builds with them directly, so it measures what is deployed.

export const ESBUILD_TARGET = 'node24';
export const MAIN_FIELDS = ['module', 'main'];
/** The Lambda runtime ships the AWS SDK v3; bundling it would add ~550 KB per function. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
/** Middy 7 is ESM-only; packages that still `require()` inside an ESM bundle need this shim. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __evsCreateRequire } from 'node:module'; const require = __evsCreateRequire(import.meta.url);";

/** The same build for esbuild's API (the bench). */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: false,
    mainFields: MAIN_FIELDS,
    external: EXTERNAL_MODULES,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'error' as const,
  };
}
