// `npm start`: the API on http://127.0.0.1:3000 over an embedded DynamoDB, with demo data and a token.
//
//   npm start -- [--port 3000] [--host 127.0.0.1] [--data-dir DIR] [--backend dynalite|dynamodb-local]
//                [--cors-origins https://dash.example.com,http://localhost:5173] [--aggregate-every 6h]
//
// In memory by default; --data-dir keeps the data on disk across restarts. --aggregate-every runs the
// daily job (as `npm run aggregate` does) once at start and then at that interval (90s, 30m, 6h, 1d).

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// The SDK's Node-version notice is noise for a local tool (Lambda runs Node.js 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { backendFromEnv, ensureTable, startEmbeddedDynamo } from './dynamo.js';
import { clearState, writeState } from './state.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'data-dir': { type: 'string' },
    backend: { type: 'string', default: process.env.DDB_BACKEND ?? 'dynalite' },
    'cors-origins': { type: 'string', default: process.env.CORS_ORIGINS ?? '' },
    'aggregate-every': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  throw new Error(`--port must be 0–65535, not ${values.port}`);
const backend = backendFromEnv(values.backend);
const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
const { formatSummary, loadWorkerHandler, parseInterval, runAggregation } = await import('./aggregate.js');
const aggregateEveryMs =
  values['aggregate-every'] === undefined ? undefined : parseInterval(values['aggregate-every']);
if (values['aggregate-every'] !== undefined && aggregateEveryMs === undefined)
  throw new Error(`--aggregate-every must look like 90s, 30m, 6h or 1d, not ${values['aggregate-every']}`);
// Loaded before anything starts, so a missing worker stops here rather than leaving a database behind.
const jobWorker = aggregateEveryMs === undefined ? undefined : await loadWorkerHandler();
if (dataDir) mkdirSync(dataDir, { recursive: true });

/** The cursor key is kept with the data, so page links survive a restart on the same --data-dir. */
function cursorSecretFor(dir: string | undefined): string {
  if (!dir) return randomBytes(32).toString('base64url');
  const file = join(dir, 'cursor-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const dynamo = await startEmbeddedDynamo(backend, dataDir ? { path: join(dataDir, backend) } : {});
process.env.TABLE_NAME = 'evsessions-local';
process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
process.env.CURSOR_SECRET = cursorSecretFor(dataDir);
process.env.AWS_REGION ??= 'local';
await ensureTable(dynamo.endpoint, process.env.TABLE_NAME);

const { seedDemo, DEMO_TENANT, DEMO_EV_ID } = await import('./seed.js');
const { DEMO_DAYS, DEMO_TIME_ZONE } = await import('./demo-readings.js');
const { addDays, localDate } = await import('../../shared/rollups/calendar.js');
const { issueApiToken } = await import('../../shared/auth/token-admin.js');
const { startProjectApi } = await import('./project-api.js');

const now = new Date();
const demo = await seedDemo(now);
const demoWeekStart = addDays(localDate(now.getTime(), DEMO_TIME_ZONE), -DEMO_DAYS);
const { token } = await issueApiToken(
  { tenantId: DEMO_TENANT, name: 'npm start', lifetimeMs: 30 * 24 * 3600 * 1000 },
  now,
);
const { corsPolicy, parseCorsOrigins } = await import('../../shared/http/cors.js');
const cors = corsPolicy(parseCorsOrigins(values['cors-origins']));
const { ensureWebBuild } = await import('./web-build.js');
const api = await startProjectApi({ port, host: values.host, cors, staticDir: await ensureWebBuild() });
// What EventBridge Scheduler does on AWS: the public-charging sweeper, every minute.
const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
const sweeper = setInterval(() => {
  sweepDueSessions(new Date()).catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'error', message: 'sweep failed', error: String(error) }));
  });
}, 60_000);
sweeper.unref();
writeState({
  apiUrl: api.url,
  endpoint: dynamo.endpoint,
  tableName: process.env.TABLE_NAME,
  pid: process.pid,
});

console.log(`
evsessions is running at ${api.url}  (${backend}, ${dataDir ? `data in ${dataDir}` : 'in memory'})

Demo tenant '${DEMO_TENANT}', token (valid 30 days, all scopes):
  export EVS_TOKEN=${token}

Try:
  curl -s -H "Authorization: Bearer $EVS_TOKEN" ${api.url}/v1/entities
  curl -s -H "Authorization: Bearer $EVS_TOKEN" ${api.url}/v1/entities/${DEMO_EV_ID}/features

The demo car and home charger have a week of readings${demo.readings > 0 ? ` (${demo.readings.toLocaleString('en-US')} stored just now)` : ' (kept from an earlier start)'}.
Compute their charge sessions with the daily job, then list the car's:
  npm run aggregate
  curl -s -H "Authorization: Bearer $EVS_TOKEN" "${api.url}/v1/entities/${DEMO_EV_ID}/charge-sessions?start=${demoWeekStart}T00:00:00Z"

The fleet dashboard, signed in as the demo tenant (the token rides in the #fragment, never sent to a server):
  ${api.url}/#token=${token}

The API is described at ${api.url}/openapi.json. Stop with Ctrl-C.
`);

let aggregation: NodeJS.Timeout | undefined;
if (aggregateEveryMs !== undefined && jobWorker) {
  const worker = jobWorker;
  let running = false;
  // One run at a time: a tick that finds the previous run still going is skipped.
  const aggregate = async () => {
    if (running) return;
    running = true;
    try {
      console.log(formatSummary(await runAggregation({ worker, asOf: new Date() })));
    } catch (error) {
      console.error(`daily job failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  console.log(`The daily job runs now and every ${values['aggregate-every']}.`);
  void aggregate();
  aggregation = setInterval(aggregate, aggregateEveryMs);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(sweeper);
  clearInterval(aggregation);
  clearState();
  await api.close();
  await dynamo.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
