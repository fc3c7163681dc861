// Node module hook for running openapi-typescript: it needs TypeScript's JavaScript API, which the
// project's TypeScript 7 (native) no longer has, so `typescript` resolves to the `typescript5` alias here.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  return next(specifier === 'typescript' ? 'typescript5' : specifier, context);
}`)}`,
  import.meta.url,
);
