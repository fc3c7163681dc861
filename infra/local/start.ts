// `npm start`: the API on http://127.0.0.1:3000 over an embedded DynamoDB, with demo data and a token.
// Options: see USAGE. In memory by default; --data-dir keeps the data on disk across restarts.
// The daily job (as `npm run aggregate` runs it) runs once at start, over the freshly seeded demo week,
// before the link is printed: the dashboard it opens has sessions and charts at once. --aggregate-every
// runs it again at that interval (90s, 30m, 6h, 1d).
//
// Everything it starts (the database, the HTTP server, timers, the state file, the --data-dir lock) is
// registered as it starts and undone in reverse, whether the start fails half-way, or SIGINT, SIGTERM
// or SIGHUP arrives: no JVM or port is left behind. package.json runs it with `exec`, so a signal to the
// `npm start` process reaches this one rather than ending a shell in between.

import { parseArgs } from 'node:util';

// The SDK's Node-version notice is noise for a local tool (Lambda runs Node.js 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { resolve } from 'node:path';
import { cursorSecretFor, keep, lockDataDir, readKept } from './data-dir.js';
import { type Backend, ensureTable, startEmbeddedDynamo } from './dynamo.js';
import { clearState, writeState } from './state.js';

const BACKENDS: readonly Backend[] = ['dynalite', 'dynamodb-local'];

const USAGE = `usage: npm start -- [options]
  --port N               HTTP port (default 3000, or $PORT; 0 picks a free one)
  --host ADDRESS         address to listen on (default 127.0.0.1, or $HOST)
  --data-dir DIR         keep the data in DIR (created if missing; one server at a time); default: in memory
  --backend NAME         ${BACKENDS.join(' | ')} (AWS's DynamoDB Local, needs Java 17); default dynalite,
                         or $DDB_BACKEND
  --cors-origins LIST    origins browsers may call from, comma-separated (https://app.example.com,…)
  --aggregate-every T    run the daily job again every T (90s, 30m, 6h, 1d); it always runs once at start
  -h, --help             this text`;

/** A wrong command line: the message, the usage, exit code 2, before anything has started. */
function usageError(message: string): never {
  console.error(`npm start: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function commandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: process.env.PORT ?? '3000' },
        host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
        'data-dir': { type: 'string' },
        backend: { type: 'string', default: process.env.DDB_BACKEND || 'dynalite' },
        'cors-origins': { type: 'string', default: process.env.CORS_ORIGINS ?? '' },
        'aggregate-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    usageError((error as Error).message); // an unknown option, or one without its value
  }
}
const values = commandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!/^\d+$/.test(values.port) || port > 65535) usageError(`--port must be 0–65535, not '${values.port}'`);
const backend = values.backend as Backend;
if (!BACKENDS.includes(backend))
  usageError(`--backend must be ${BACKENDS.join(' or ')}, not '${values.backend}'`);
const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
const { formatSummary, loadWorkerHandler, parseInterval, runAggregation } = await import('./aggregate.js');
const aggregateEveryMs =
  values['aggregate-every'] === undefined ? undefined : parseInterval(values['aggregate-every']);
if (values['aggregate-every'] !== undefined && aggregateEveryMs === undefined)
  usageError(`--aggregate-every must look like 90s, 30m, 6h or 1d, not '${values['aggregate-every']}'`);
const { corsPolicy, parseCorsOrigins } = await import('../../shared/http/cors.js');
let cors: ReturnType<typeof corsPolicy>;
try {
  cors = corsPolicy(parseCorsOrigins(values['cors-origins']));
} catch (error) {
  usageError(`--cors-origins: ${(error as Error).message}`);
}

/** What has been started, undone last-first by shutdown. */
const undo: Array<() => unknown> = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`npm start: while stopping: ${(error as Error).message}`);
      }
    }
    process.exit(code);
  }
  return new Promise<never>(() => undefined); // the first shutdown exits
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

/** The start's own errors, worded for the person who typed the command. */
function explain(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE')
    return `port ${port} on ${values.host} is in use (another npm start?): pick another with --port, e.g. --port ${port + 1}, or --port 0 for any free one`;
  if (error.code === 'EACCES')
    return `not allowed to listen on port ${port}: pick one above 1023 with --port`;
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    return `--host ${values.host} is not an address of this machine`;
  return error.message;
}

try {
  // Loaded before anything starts, so a missing worker stops here rather than leaving a database behind.
  const worker = await loadWorkerHandler();
  if (dataDir) undo.push(lockDataDir(dataDir));

  const dynamo = await startEmbeddedDynamo(backend, dataDir ? { path: `${dataDir}/${backend}` } : {});
  undo.push(() => dynamo.stop());
  process.env.TABLE_NAME = 'evsessions-local';
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.CURSOR_SECRET = cursorSecretFor(dataDir);
  process.env.AWS_REGION ??= 'local';
  // Local receivers (http://127.0.0.1, localhost) may get webhooks; deployed, only public https ones.
  process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
  await ensureTable(dynamo.endpoint, process.env.TABLE_NAME);

  const { seedDemo, demoToken, DEMO_TENANT, DEMO_EV_ID } = await import('./seed.js');
  const { demoWeek } = await import('./demo-readings.js');
  const { startProjectApi } = await import('./project-api.js');

  const now = new Date();
  const demo = await seedDemo(now);
  const demoWeekStart = demoWeek(now).first;
  const token = await demoToken(now, dataDir && readKept(dataDir, 'demo-token'));
  if (dataDir && !token.reused) keep(dataDir, 'demo-token', token.token);
  const { ensureWebBuild } = await import('./web-build.js');
  const api = await startProjectApi({ port, host: values.host, cors, staticDir: await ensureWebBuild() });
  undo.push(() => api.close());
  // The OCPP-J gateway on the API's own port (ws://…/ocpp/<code>), as chargers reach it deployed. Closed
  // before the API (undo runs last-first), so its chargers are marked offline while the table still runs.
  const { createOcppGateway } = await import('../../shared/ocpp/gateway.js');
  const ocpp = createOcppGateway();
  api.server.on('upgrade', ocpp.handleUpgrade);
  undo.push(() => ocpp.close());
  // What EventBridge Scheduler does on AWS: the public-charging sweeper, every minute.
  const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
  const sweeper = setInterval(() => {
    sweepDueSessions(new Date()).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', message: 'sweep failed', error: String(error) }));
    });
  }, 60_000);
  sweeper.unref();
  undo.push(() => clearInterval(sweeper));
  // Webhooks: what the dispatcher Lambda does every minute (retries), plus each new event's deliveries
  // attempted at once, in this process, so a local receiver gets events within seconds.
  const { startInProcessDispatch } = await import('./webhook-dispatch.js');
  undo.push(startInProcessDispatch());
  // The daily job once over the demo week (and anything a --data-dir kept), before the link is printed, so
  // the dashboard opens with sessions and charts. Resumable like every run: `npm run aggregate` afterwards
  // finds nothing new. A failure is reported, and the API serves on (the job can be run again).
  let startJob: string;
  try {
    startJob = formatSummary(await runAggregation({ worker, asOf: new Date() }));
  } catch (error) {
    startJob = `daily job failed: ${(error as Error).message} (run it again with npm run aggregate)`;
  }
  // The real-time path in process (what the FIFO queue and its worker do on AWS): readings posted from now on
  // list their session as active within seconds, and completed once it ends. Registered after the demo
  // week's backfill above, which is the daily job's to do (one run over a week, not a run per request).
  const { startLocalLive } = await import('./live.js');
  const { webhookEventSink } = await import('../../shared/webhooks/outbox.js');
  const live = startLocalLive({ events: webhookEventSink() });
  undo.push(() => live.stop());
  const listening = Number(new URL(api.url).port);
  writeState({
    apiUrl: api.url,
    port: listening,
    endpoint: dynamo.endpoint,
    tableName: process.env.TABLE_NAME,
    pid: process.pid,
    backend,
    dataDir,
  });
  undo.push(() => clearState(listening));
  const validity = token.reused
    ? `kept from an earlier start on this --data-dir, valid until ${token.expiresAt.slice(0, 10)}`
    : 'valid 30 days';

  console.log(`
evsessions is running at ${api.url}  (${backend}, ${dataDir ? `data in ${dataDir}` : 'in memory'})

Demo tenant '${DEMO_TENANT}', token (${validity}, all scopes):
  export EVS_TOKEN=${token.token}

Try:
  curl -s -H "Authorization: Bearer $EVS_TOKEN" ${api.url}/v1/entities
  curl -s -H "Authorization: Bearer $EVS_TOKEN" ${api.url}/v1/entities/${DEMO_EV_ID}/features

The demo car and home charger have a week of readings${demo.readings > 0 ? ` (${demo.readings.toLocaleString('en-US')} stored just now)` : ' (kept from an earlier start)'}.
The daily job ran once at start and computed their charge sessions:
${startJob}

List the car's sessions (npm run aggregate runs the job again${aggregateEveryMs === undefined ? '' : `; it also runs every ${values['aggregate-every']}`}; add -- --port ${listening}
when other npm start servers run here):
  curl -s -H "Authorization: Bearer $EVS_TOKEN" "${api.url}/v1/entities/${DEMO_EV_ID}/charge-sessions?start=${demoWeekStart}T00:00:00Z"

The fleet dashboard, signed in as the demo tenant (the token rides in the #fragment, never sent to a server):
  ${api.url}/#token=${token.token}

Chargers connect over OCPP 2.0.1 (OCPP-J, Basic auth) to ${api.url.replace(/^http/, 'ws')}/ocpp/<code>;
a simulated one: npm run charger -- --code <code> --password <password> (README, "Public charging").

The API is described at ${api.url}/openapi.json. Stop with Ctrl-C.
`);

  if (aggregateEveryMs !== undefined) {
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
    const aggregation = setInterval(aggregate, aggregateEveryMs);
    undo.push(() => clearInterval(aggregation));
  }
} catch (error) {
  console.error(`npm start: ${explain(error as NodeJS.ErrnoException)}`);
  await shutdown(1);
}
