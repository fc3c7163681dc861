// The local server for the throughput benchmark, in its own process: dynalite, the local runner, seeded
// data; prints one JSON line with the URL, a token, the ids and the public session tokens to request, then
// serves until killed.

import { benchDatabase } from './env.js';

await benchDatabase();
const { startProjectApi } = await import('../infra/local/project-api.js');
const { issueApiToken } = await import('../shared/auth/token-admin.js');
const { createEntity } = await import('../shared/entities/service.js');
const now = new Date();
const { token } = await issueApiToken({ tenantId: 'bench' }, now);
const ids: string[] = [];
for (let i = 0; i < 30; i++) {
  ids.push(
    (
      await createEntity(
        'bench',
        { type: 'EV', name: `Car ${i}`, timeZone: 'UTC', capabilities: ['soc'] },
        now,
      )
    ).id,
  );
}
const { seedEntitySessions, seedPublicSessions } = await import('./seed.js');
await seedEntitySessions('bench', ids[3]!, 30);
// 120 chargers × 10 connectors: 1,200 session tokens, so 36,000 polls a minute stay within the per-token
// limit; a quick run (`--quick`) polls a few hundred times and needs a tenth of them.
const chargers = process.argv.includes('--quick') ? 12 : 120;
const sessionTokens = await seedPublicSessions('bench', chargers, now);
const api = await startProjectApi();
process.stdout.write(`${JSON.stringify({ url: api.url, token, entityId: ids[3], sessionTokens })}\n`);
