// The dashboard is written against the types third-party apps generate from docs/openapi.json: the checked-in
// copy must be exactly what `npm run web:api` writes now, so an API change reaches the web build.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { WEB_API_TYPES_FILE, webApiTypes } from '../../infra/scripts/web-api-types.js';

it('web/src/api/schema.d.ts is what openapi-typescript generates from docs/openapi.json (npm run web:api)', async () => {
  expect(readFileSync(WEB_API_TYPES_FILE, 'utf8')).toBe(await webApiTypes());
});
