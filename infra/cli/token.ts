// `npm run token -- <create|list|revoke> …`: API tokens for third-party apps, against the local store of
// a running `npm start` (default) or a deployed stack.
//
//   npm run token -- create --tenant acme [--scopes entities:read,sessions:read] [--name "Acme app"] [--expires-in 90d]
//   npm run token -- list   --tenant acme
//   npm run token -- revoke --tenant acme <tokenId>
// Target: --local [--port N] (default; the npm start found in .local-data/servers/), --stack EvSessions [--region eu-west-1]
// (table name from the stack's outputs), or --table <name> [--region …].

import { parseArgs } from 'node:util';

// The SDK's Node-version notice is noise for a local tool (Lambda runs Node.js 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { SCOPES } from '../../shared/auth/scopes.js';
import { useTarget } from './target.js';

const USAGE = `usage: npm run token -- <create|list|revoke> --tenant <id> [options]
  create  [--scopes a,b] [--name text] [--expires-in 90d|12h|30m]   prints the token once
  list                                                              tokens of the tenant
  revoke  <tokenId>                                                 revokes at once (API Gateway may serve a cached
                                                                    answer for up to 60 s)
target: --local [--port N] (default; --port: which npm start, when several run here)
        | --stack <name> [--region r] | --table <name> [--region r]
scopes: ${SCOPES.join(', ')}`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

export function parseDuration(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text);
  if (!match) fail(`--expires-in must look like 90d, 12h or 30m, not '${text}'`);
  const units = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
  return Number(match[1]) * units[match[2] as keyof typeof units];
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
      'expires-in': { type: 'string', default: '90d' },
      local: { type: 'boolean' },
      port: { type: 'string' },
      stack: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (!['create', 'list', 'revoke'].includes(command)) fail(`unknown command '${command}'`);
  if (!values.tenant) fail('--tenant is required');

  try {
    await useTarget(values);
  } catch (error) {
    fail((error as Error).message);
  }

  const admin = await import('../../shared/auth/token-admin.js');
  const now = new Date();
  if (command === 'create') {
    const { token, record } = await admin.issueApiToken(
      {
        tenantId: values.tenant,
        scopes: values.scopes?.split(',').map((s) => s.trim()),
        name: values.name,
        lifetimeMs: parseDuration(values['expires-in']),
      },
      now,
    );
    console.log(
      `token id  ${record.tokenId}\ntenant    ${record.tenantId}\nscopes    ${record.scopes.join(' ')}`,
    );
    console.log(`expires   ${record.expiresAt}\n\n${token}\n\nStore it now: only its hash is kept.`);
  } else if (command === 'list') {
    const tokens = await admin.listTokens(values.tenant);
    if (tokens.length === 0) console.log(`tenant ${values.tenant} has no tokens`);
    for (const t of tokens) {
      const status = t.revokedAt
        ? `revoked ${t.revokedAt}`
        : Date.parse(t.expiresAt) <= now.getTime()
          ? 'expired'
          : 'active';
      console.log(
        `${t.tokenId}  ${status.padEnd(32)}  expires ${t.expiresAt}  ${t.scopes.join(',')}  ${t.name}`,
      );
    }
  } else {
    const tokenId = rest[0];
    if (!tokenId) fail('revoke needs the token id (see `list`)');
    const revoked = await admin.revokeToken(values.tenant, tokenId, now);
    if (!revoked) fail(`tenant ${values.tenant} has no token ${tokenId}`);
    console.log(`revoked ${tokenId}`);
  }
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
