// `npm run tenant -- <get|set> --tenant acme [--exact-locations on|off]`: a tenant's settings, for
// operators (tenants cannot change them through the API). Against the local store of a running
// `npm start` (default), or a deployed stack: --stack EvSessions [--region eu-west-1] | --table <name>.
//
//   npm run tenant -- get --tenant acme
//   npm run tenant -- set --tenant acme --exact-locations on

import { parseArgs } from 'node:util';

// The SDK's Node-version notice is noise for a local tool (Lambda runs Node.js 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { useTarget } from './target.js';

const USAGE = `usage: npm run tenant -- <get|set> --tenant <id> [options]
  get                               the tenant's settings
  set  --exact-locations on|off     return exact coordinates (session positions, reading locations) or not;
                                    off by default. Sessions computed while on keep their stored position.
target: --local [--port N] (default; --port: which npm start, when several run here)
        | --stack <name> [--region r] | --table <name> [--region r]`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      'exact-locations': { type: 'string' },
      local: { type: 'boolean' },
      port: { type: 'string' },
      stack: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (command !== 'get' && command !== 'set') fail(`unknown command '${command}'`);
  if (!values.tenant) fail('--tenant is required');
  const exact = values['exact-locations'];
  if (command === 'set' && exact !== 'on' && exact !== 'off') fail('set needs --exact-locations on|off');
  try {
    await useTarget(values);
  } catch (error) {
    fail((error as Error).message);
  }
  const { assertTenantId } = await import('../../shared/auth/token-admin.js');
  const store = await import('../../shared/storage/tenant-settings.js');
  assertTenantId(values.tenant);
  const settings =
    command === 'set'
      ? await store.setExactLocations(values.tenant, exact === 'on', new Date())
      : await store.getTenantSettings(values.tenant);
  console.log(
    `tenant           ${values.tenant}\nexact locations  ${settings.exactLocations ? 'on' : 'off'}\nupdated          ${settings.updated ?? 'never'}`,
  );
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
