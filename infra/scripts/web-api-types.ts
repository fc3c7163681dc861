// `npm run web:api`: the dashboard's API types (web/src/api/schema.d.ts), generated from docs/openapi.json
// by openapi-typescript, the same types a third-party TypeScript app would generate. A unit test fails when
// the committed file differs from what this writes, so an API change that breaks clients breaks the web
// build first.
//
// openapi-typescript 6 rather than 7: version 7 prints its output through the TypeScript 5 compiler API,
// which TypeScript 7 (this project's compiler) no longer has, and npm refuses its peer dependency. Version 6
// writes the same `paths`/`components`/`operations` shape that openapi-fetch reads, without a compiler.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS from 'openapi-typescript';

export const WEB_API_TYPES_FILE = fileURLToPath(new URL('../../web/src/api/schema.d.ts', import.meta.url));
const OPENAPI_FILE = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));

export async function webApiTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  return openapiTS(document, { silent: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(WEB_API_TYPES_FILE, await webApiTypes());
  console.log(`wrote ${WEB_API_TYPES_FILE}`);
}
