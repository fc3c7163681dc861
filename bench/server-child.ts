// The local server for the throughput benchmark, in its own process: dynalite, the local runner, seeded
// data; prints one JSON line with the URL, a token and the ids to request, then serves until killed.

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
const api = await startProjectApi();
process.stdout.write(`${JSON.stringify({ url: api.url, token, entityId: ids[3] })}\n`);
