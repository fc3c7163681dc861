// The esbuild settings every Lambda is bundled with, as plain values: infra/bundling.ts hands them to CDK's
// NodejsFunction, and the benchmark builds with them directly, so it measures what is deployed.

export const ESBUILD_TARGET = 'node24';
export const MAIN_FIELDS = ['module', 'main'];
/** The Lambda runtime ships the AWS SDK v3; bundling it would add ~550 KB per function. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
/** Middy 7 is ESM-only; packages that still `require()` inside an ESM bundle need this shim. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __evsCreateRequire } from 'node:module'; const require = __evsCreateRequire(import.meta.url);";

/**
 * Packages a function imports only on a rare path, left out of its bundle and shipped beside it as one
 * minified module at `node_modules/<name>/index.mjs`, so `import('<name>')` still resolves at run time but
 * cold start never pays for them. Stripe's SDK (~250 KB minified) is needed only by deployments that take
 * payments through Stripe, and only when a payment is made.
 */
export const LAZY_MODULES = {
  stripe: 'node_modules/stripe/esm/stripe.esm.node.js',
} as const;
export type LazyModule = keyof typeof LAZY_MODULES;

/** The same build for esbuild's API (the bench). */
export function esbuildOptions(entry: string, outfile: string, lazy: readonly LazyModule[] = []) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: ESBUILD_TARGET,
    minify: true,
    // As deployed: a linked map beside the bundle (infra/bundling.ts); the bundle gains one comment line.
    sourcemap: true,
    mainFields: MAIN_FIELDS,
    external: [...EXTERNAL_MODULES, ...lazy],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'error' as const,
  };
}

/** Where a lazy module's own bundle goes inside a function's asset directory. */
export function lazyModuleFiles(name: LazyModule, assetDir: string) {
  return {
    entry: LAZY_MODULES[name],
    dir: `${assetDir}/node_modules/${name}`,
    file: `${assetDir}/node_modules/${name}/index.mjs`,
  };
}

/** Shell commands (CDK's afterBundling hook) that build a lazy module into a function's asset, offline. */
export function lazyModuleCommands(name: LazyModule, projectDir: string, assetDir: string): string[] {
  const { entry, dir, file } = lazyModuleFiles(name, assetDir);
  const packageJson = JSON.stringify({ name, type: 'module', main: 'index.mjs' });
  return [
    `mkdir -p "${dir}"`,
    `"${projectDir}/node_modules/.bin/esbuild" "${projectDir}/${entry}" --bundle --platform=node --format=esm --minify --target=${ESBUILD_TARGET} --external:@aws-sdk/* --banner:js=${JSON.stringify(ESM_REQUIRE_BANNER)} --outfile="${file}" --log-level=error`,
    `echo '${packageJson}' > "${dir}/package.json"`,
  ];
}
