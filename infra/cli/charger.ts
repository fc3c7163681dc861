// `npm run charger -- --code AMS-042 --password <password>`: a simulated OCPP 2.0.1 charging station
// for the gateway of a running `npm start` (or any OCPP-J endpoint with --url). It connects as a real
// charger does (ocpp-rpc's RPCClient, strict OCA schemas, ocpp2.0.1, Basic auth), boots, reports
// connector 1 Available, heartbeats, accepts remote starts and stops, and meters a transaction at --kw
// until it is stopped. Every message in and out is printed; Ctrl-C disconnects (the charger goes offline).

import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';

const USAGE = `usage: npm run charger -- --code <public code> --password <password> [options]
  --url URL        the gateway, before the station id (default ws://127.0.0.1:<port>/ocpp)
  --port N         the npm start to reach (default 3000)
  --kw N           charging power while a transaction runs (default 50)
  --every S        seconds between meter updates while charging (default 10)
  -h, --help       this text`;

function fail(message: string): never {
  console.error(`npm run charger: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        code: { type: 'string' },
        password: { type: 'string' },
        url: { type: 'string' },
        port: { type: 'string', default: '3000' },
        kw: { type: 'string', default: '50' },
        every: { type: 'string', default: '10' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.code || !values.password) fail('--code and --password are required');
const kw = Number(values.kw);
const everySeconds = Number(values.every);
if (!(kw > 0) || !(everySeconds >= 1)) fail('--kw must be > 0 and --every ≥ 1');
const endpoint = values.url ?? `ws://127.0.0.1:${values.port}/ocpp`;
const code = values.code;

const print = (direction: '→' | '←', method: string, payload: unknown) =>
  console.log(`${new Date().toISOString()} ${direction} ${method} ${JSON.stringify(payload)}`);

const client = new RPCClient({
  endpoint,
  identity: code,
  password: values.password,
  protocols: ['ocpp2.0.1'],
  strictMode: true,
  reconnect: true,
} as ConstructorParameters<typeof RPCClient>[0]);

async function call(method: string, params: Record<string, unknown>) {
  print('→', method, params);
  const result = await client.call(method, params);
  print('←', method, result);
  return result as Record<string, unknown>;
}

/** The one transaction this station runs at a time, on EVSE 1, connector 1. */
let transaction: { id: string; seqNo: number; wh: number; timer: NodeJS.Timeout } | null = null;
let registerWh = 1_000_000; // a lifetime register, as real meters report

const meterValue = (wh: number, context?: string) => [
  {
    timestamp: new Date().toISOString(),
    sampledValue: [{ value: wh, ...(context ? { context } : {}), unitOfMeasure: { unit: 'Wh' } }],
  },
];
const status = (connectorStatus: string) =>
  call('StatusNotification', {
    timestamp: new Date().toISOString(),
    connectorStatus,
    evseId: 1,
    connectorId: 1,
  });

async function startTransaction(remoteStartId: number, idToken: Record<string, unknown>) {
  await status('Occupied');
  const id = `SIM-${Date.now()}`;
  const timer = setInterval(() => {
    if (!transaction) return;
    registerWh += Math.round((kw * 1000 * everySeconds) / 3600);
    transaction.seqNo++;
    void call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: new Date().toISOString(),
      triggerReason: 'MeterValuePeriodic',
      seqNo: transaction.seqNo,
      transactionInfo: { transactionId: id, chargingState: 'Charging' },
      meterValue: meterValue(registerWh, 'Sample.Periodic'),
    }).catch((error: unknown) => console.error(`TransactionEvent failed: ${(error as Error).message}`));
  }, everySeconds * 1000);
  transaction = { id, seqNo: 0, wh: registerWh, timer };
  await call('TransactionEvent', {
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'RemoteStart',
    seqNo: 0,
    transactionInfo: { transactionId: id, remoteStartId, chargingState: 'Charging' },
    idToken,
    evse: { id: 1, connectorId: 1 },
    meterValue: meterValue(registerWh, 'Transaction.Begin'),
  });
}

async function endTransaction() {
  if (!transaction) return;
  const ending = transaction;
  transaction = null;
  clearInterval(ending.timer);
  await call('TransactionEvent', {
    eventType: 'Ended',
    timestamp: new Date().toISOString(),
    triggerReason: 'RemoteStop',
    seqNo: ending.seqNo + 1,
    transactionInfo: { transactionId: ending.id, stoppedReason: 'Remote', chargingState: 'EVConnected' },
    meterValue: meterValue(registerWh, 'Transaction.End'),
  });
  await status('Available');
}

client.handle('RequestStartTransaction', async ({ params }) => {
  print('←', 'RequestStartTransaction', params);
  if (transaction) return { status: 'Rejected' };
  const { remoteStartId, idToken } = params as { remoteStartId: number; idToken: Record<string, unknown> };
  // Answer first, then start: the CSMS hears Accepted before the transaction's first event.
  setImmediate(
    () => void startTransaction(remoteStartId, idToken).catch((e: Error) => console.error(e.message)),
  );
  return { status: 'Accepted' };
});
client.handle('RequestStopTransaction', async ({ params }) => {
  print('←', 'RequestStopTransaction', params);
  if (transaction?.id !== (params as { transactionId: string }).transactionId) return { status: 'Rejected' };
  setImmediate(() => void endTransaction().catch((e: Error) => console.error(e.message)));
  return { status: 'Accepted' };
});
client.handle('GetTransactionStatus', async ({ params }) => {
  print('←', 'GetTransactionStatus', params);
  return { messagesInQueue: false, ...(transaction ? { ongoingIndicator: true } : {}) };
});
client.on('close', ({ code: closeCode, reason }: { code: number; reason: string }) =>
  console.log(`disconnected (${closeCode}${reason ? `: ${reason}` : ''})`),
);

let heartbeat: NodeJS.Timeout | undefined;
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
async function shutdown() {
  clearInterval(heartbeat);
  if (transaction) clearInterval(transaction.timer);
  await client.close({ code: 1000, reason: 'Simulator stopped' }).catch(() => undefined);
  process.exit(0);
}

try {
  await client.connect();
} catch (error) {
  const status = (error as { code?: unknown }).code;
  const hint =
    status === 401
      ? ' (wrong password? set it with PUT /v1/chargers/{code}/ocpp-password)'
      : status === 404
        ? ' (no charger has this code)'
        : '';
  console.error(
    `npm run charger: could not connect to ${endpoint}/${code}: ${(error as Error).message}${hint}`,
  );
  process.exit(1);
}
console.log(`connected to ${endpoint}/${code} as an OCPP 2.0.1 station; Ctrl-C to stop`);
const boot = await call('BootNotification', {
  reason: 'PowerUp',
  chargingStation: { model: 'evsessions-sim', vendorName: 'evsessions' },
});
heartbeat = setInterval(
  () => void call('Heartbeat', {}).catch(() => undefined),
  Number(boot.interval) * 1000,
);
await status('Available');
