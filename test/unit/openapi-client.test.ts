// What a client generated from the OpenAPI document sees: the README's own request bodies must type-check
// against openapi-typescript's output under `tsc --strict` (a field with a default is optional in a
// request; no required field is missing from the README's examples), and responses are typed precisely.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';

interface Example {
  method: string;
  path: string;
  body: unknown;
  line: number;
}

/** Every `curl -X POST|PUT|PATCH $API/… -d '<json>'` of the README, shell substitutions filled in. */
function readmeBodies(readme: string): Example[] {
  const text = readme
    .replace(/'\$\(date[^)]*\)'/g, new Date().toISOString())
    .replace(/'\$\w+'/g, '01900000-0000-7000-8000-000000000001')
    .replace(/<\w+>/g, '1');
  const examples: Example[] = [];
  const curl = /curl -s -X (POST|PUT|PATCH) \$API(\S+)[^\n]*?(?:\\\n[^\n]*?)*?-d '([^']*)'/g;
  for (const match of text.matchAll(curl)) {
    const [, method, rawPath, body] = match as unknown as [string, string, string, string];
    const concrete = rawPath.replace(/\$\w+/g, 'x');
    const path = allRoutes.find(
      (route) =>
        route.method === method && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(concrete),
    )?.path;
    const line = text.slice(0, match.index).split('\n').length;
    if (!path) throw new Error(`README line ${line}: no route for ${method} ${rawPath}`);
    examples.push({ method: method.toLowerCase(), path, body: JSON.parse(body), line });
  }
  return examples;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evs-client-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a client generated with openapi-typescript', () => {
  it('accepts every request body the README sends, under tsc --strict', async () => {
    const examples = readmeBodies(readFileSync('README.md', 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(10);
    // The same generator and version the dashboard's client is built with (infra/scripts/web-api-types.ts).
    writeFileSync(
      join(dir, 'api.d.ts'),
      await openapiTS(buildOpenApiDocument(allRoutes) as never, { silent: true }),
    );
    const source = [
      "import type { components, paths } from './api.js';",
      // Responses typed precisely: an OCPP command's payload per action, a session page per format.
      "type StartCommand = Extract<components['schemas']['ChargerCommand'], { action: 'RequestStartTransaction' }>;",
      "export const remoteStartId: StartCommand['request']['remoteStartId'] = 7;",
      '// @ts-expect-error a payload field the command does not have (it would be unknown, not an error, if untyped)',
      "export const stray: StartCommand['request']['noSuchField'] = 7;",
      "type SessionPage = paths['/v1/charge-sessions']['get']['responses'][200]['content']['application/json'];",
      "export const atlasIds = (page: SessionPage) => page.data.map((s) => ('session_id' in s ? s.session_id : s.id));",
      "export const csv: paths['/v1/charge-sessions']['get']['responses'][200]['content']['text/csv'] = 'a,b';",
      'type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {',
      "  requestBody: { content: { 'application/json': infer B } };",
      '} ? B : never;',
      ...examples.map(
        (e, i) =>
          `// README line ${e.line}\nexport const example${i} = ${JSON.stringify(e.body)} satisfies Body<'${e.path}', '${e.method}'>;`,
      ),
    ].join('\n');
    writeFileSync(join(dir, 'examples.ts'), source);
    // No ambient @types: the examples need none, and loading them all is most of tsc's time.
    const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], module: 'nodenext' };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['examples.ts'] }));
    let output = '';
    try {
      execFileSync('node_modules/.bin/tsc', ['-p', dir], { stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 120_000);
});
