// `npm run openapi`: writes docs/openapi.json and docs/errors.md from the code (routes, zod schemas, the
// error-code registry). A test fails when the committed files differ from what this would write.

import { writeFileSync } from 'node:fs';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { GATEWAY_ANSWERS } from '../../shared/http/gateway-answers.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(allRoutes), null, 2)}\n`;
}

export function errorsMarkdown(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { status, description }]) =>
      `| <a id="${code}"></a>\`${code}\` | ${status} | ${description.replace(/\|/g, '\\|')} |`,
  );
  const gatewayRows = Object.values(GATEWAY_ANSWERS).map(
    ({ status, message, when }) =>
      `| ${status} | \`{"message":"${message}"}\` | ${when.replace(/\|/g, '\\|')} |`,
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

## Answers from API Gateway itself

A few requests are answered by API Gateway before any of this API's code runs. An HTTP API cannot
reshape these (only REST APIs have "gateway responses"), so they are \`application/json\` with API
Gateway's own body, no \`code\`, and **no CORS headers** (the gateway adds those to function answers only):
a browser sees them as CORS errors. The OpenAPI document lists them on every operation, as
\`application/json\` with the \`GatewayError\` schema next to the problem documents of the same status.
\`npm start\` answers them the same way.

| status | body | when |
|---|---|---|
${gatewayRows.join('\n')}

A request without an \`Authorization\` header is **not** among them: the authorizer has no identity source,
so API Gateway calls it on every protected request instead of answering \`401 {"message":"Unauthorized"}\`
itself, and the function answers \`unauthorized\` as a problem document with \`WWW-Authenticate: Bearer
realm="evsessions"\` (no \`error\` attribute when no token was sent, RFC 6750 §3.1) and CORS headers. The
cost, and why it is worth it, is in [\`shared/auth/gateway.ts\`](../shared/auth/gateway.ts). The authorizer
never denies, so API Gateway's \`403 {"message":"Forbidden"}\` does not occur either. The stage-wide
throttle is the gateway's too (\`429\`, before any function; \`npm start\` does not throttle); the API's own
rate limits answer \`rate_limited\` problems.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('docs/openapi.json', openApiJson());
  writeFileSync('docs/errors.md', errorsMarkdown());
  console.log('wrote docs/openapi.json and docs/errors.md');
}
