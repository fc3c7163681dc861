// `npm run openapi`: writes docs/openapi.json and docs/errors.md from the code (routes, zod schemas, the
// error-code registry). A test fails when the committed files differ from what this would write.

import { writeFileSync } from 'node:fs';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(allRoutes), null, 2)}\n`;
}

export function errorsMarkdown(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { status, description }]) =>
      `| <a id="${code}"></a>\`${code}\` | ${status} | ${description.replace(/\|/g, '\\|')} |`,
  );
  return `# Error codes

Every error is an \`application/problem+json\` document (RFC 9457):

\`\`\`json
{
  "type": "/problems/validation_failed",
  "title": "Bad Request",
  "status": 400,
  "detail": "Invalid body.batteryCapacity.value.",
  "code": "validation_failed",
  "instance": "/v1/entities/0193…/battery-capacity",
  "requestId": "Kx1…",
  "errors": [{ "in": "body", "field": "batteryCapacity.value", "code": "too_big", "message": "Too big: expected number to be <=1000" }]
}
\`\`\`

\`code\` is stable and machine-readable; \`type\` resolves to \`GET /problems/{code}\` on the API, which describes
the code. \`errors[]\` appears on validation failures, one entry per offending field, with where it is
(\`path\`, \`query\`, \`header\`, \`body\`) and its dotted path (\`readings[3].soc\`).

This file is generated from \`shared/error-codes.ts\` by \`npm run openapi\`.

| code | status | meaning |
|---|---|---|
${rows.join('\n')}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('docs/openapi.json', openApiJson());
  writeFileSync('docs/errors.md', errorsMarkdown());
  console.log('wrote docs/openapi.json and docs/errors.md');
}
