// The key conditions of the deployed roles (infra/functions.ts `reads`/`writes`, dynamodb:LeadingKeys)
// against what the functions really do: every DynamoDB call the handlers make while a tenant's whole
// life runs over HTTP (entities, readings, locations, chargers, a public session from start to capture,
// exports, the sweeper, webhooks and their dispatcher, the daily job, an entity's deletion) is attributed to the function that made it and checked
// against that function's grants: the action, the index, and the partition key against the patterns.
// A call the deployed role would refuse (AccessDenied on AWS, fine on the local table) fails here.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTIONS, type FunctionSpec, JOB_FUNCTIONS, OCPP_GATEWAY } from '../../infra/functions.js';
import { keyPatterns, matchesKeyPattern } from '../../infra/table-keys.js';
import { allRoutes } from '../../shared/api/routes.js';
import { isPublic } from '../../shared/http/route.js';
import { documentClient } from '../../shared/storage/client.js';
import { TABLE } from '../../shared/storage/table.js';
import { chargerConfigInput, statusNotification, txEvent } from '../fixtures/ocpp/builders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  createTenantFixtures,
  fixturePath,
  loopbackAddress,
  type TenantFixtures,
} from '../support/fixtures.js';
import { quietLog } from '../support/job.js';

/** The functions, and the OCPP-J gateway's task, whose grants come from the same kind of catalog entry. */
const CATALOG: Record<string, Pick<FunctionSpec, 'table'>> = {
  ...FUNCTIONS,
  ...JOB_FUNCTIONS,
  'ocpp-gateway': OCPP_GATEWAY,
};
type FunctionName = keyof typeof FUNCTIONS | keyof typeof JOB_FUNCTIONS | 'ocpp-gateway';
interface Call {
  fn: FunctionName;
  action: string;
  index: string | undefined;
  partitionKeys: string[];
}

const running = new AsyncLocalStorage<FunctionName>();
const calls: Call[] = [];
const RECORDER = 'leading-keys-recorder';
/** The command (as the client's middleware names it) → the IAM action it needs. */
const ACTIONS: Record<string, string> = {
  GetItemCommand: 'dynamodb:GetItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  BatchWriteItemCommand: 'dynamodb:BatchWriteItem',
};
const READS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']);

/** The partition key values IAM sees as dynamodb:LeadingKeys for one request. */
function partitionKeysOf(command: string, input: Record<string, any>): string[] {
  if (input.Key) return [input.Key[TABLE.partitionKey]];
  if (input.Item) return [input.Item[TABLE.partitionKey]];
  if (command === 'QueryCommand') {
    const attribute = input.IndexName
      ? TABLE.indexes[input.IndexName as keyof typeof TABLE.indexes].partitionKey
      : TABLE.partitionKey;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    for (const [, name, value] of String(input.KeyConditionExpression).matchAll(/([#\w]+)\s*=\s*(:\w+)/g))
      if ((names[name!] ?? name) === attribute) return [input.ExpressionAttributeValues[value!]];
    throw new Error(`no partition key in ${input.KeyConditionExpression}`);
  }
  const requests = Object.values(input.RequestItems ?? {}) as any[];
  return requests.flatMap((request) =>
    Array.isArray(request)
      ? request.map((r) => (r.PutRequest ? r.PutRequest.Item : r.DeleteRequest.Key)[TABLE.partitionKey])
      : request.Keys.map((key: any) => key[TABLE.partitionKey]),
  );
}

let api: TestApi;
let tenant: TenantFixtures;

beforeAll(async () => {
  api = await startTestApi({
    wrapHandler: (name, handler) => (event, context) => running.run(name, () => handler(event, context)),
  });
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const fn = running.getStore();
      // Calls outside any function are the test's own setup (issuing a token, seeding sessions).
      if (fn) {
        const command = String(context.commandName);
        const input = args.input as Record<string, any>;
        calls.push({
          fn,
          action: ACTIONS[command] ?? command,
          index: input.IndexName,
          partitionKeys: partitionKeysOf(command, input),
        });
      }
      return next(args);
    },
    { step: 'initialize', name: RECORDER },
  );
  tenant = await createTenantFixtures(api, `keys-${randomBytes(3).toString('hex')}`);
});
afterAll(async () => {
  documentClient().middlewareStack.remove(RECORDER);
  await api.close();
});

describe('what the functions do to the table', () => {
  it('stays within each function’s deployed grants, through a tenant’s whole life', async () => {
    const { token, evId, cpId, chargerCode } = tenant;
    const now = Date.now();
    const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();

    // Readings, then every GET route with the tenant's real ids.
    const readings = await api.request('POST', `/v1/entities/${evId}/readings`, {
      token,
      body: {
        readings: [
          { timestamp: iso(-20 * 60_000), soc: 41, powerKw: 7.4, isPluggedIn: true, isCharging: true },
          { timestamp: iso(-19 * 60_000), soc: 42, powerKw: 7.3, location: { lat: 52.37, lon: 4.89 } },
        ],
      },
    });
    expect(readings.status, JSON.stringify(readings.body)).toBe(202);
    const start = encodeURIComponent(iso(-7 * 86_400_000));
    const day = iso(-7 * 86_400_000).slice(0, 10);
    for (const route of allRoutes.filter((r) => r.method === 'GET')) {
      const path = fixturePath(route.path, tenant.pathValues);
      const query = /sessions|readings/.test(route.path)
        ? `?start=${start}`
        : /daily-energy/.test(route.path)
          ? `?start=${day}`
          : /reports\/monthly/.test(route.path)
            ? `?month=${day.slice(0, 7)}`
            : '';
      const response = await api.request('GET', `${path}${query}`, {
        ...(isPublic(route) ? { sourceIp: loopbackAddress() } : { token }),
      });
      expect(response.status, `${route.method} ${route.path}: ${response.text.slice(0, 300)}`).toBeLessThan(
        500,
      );
    }
    for (const format of ['csv', 'evchart'])
      await api.request('GET', `/v1/entities/${cpId}/charge-sessions?start=${start}&format=${format}`, {
        token,
      });
    await api.request('GET', `/v1/charge-sessions?start=${start}`, {
      token,
      headers: { accept: 'text/csv' },
    });

    // The public session the fixtures confirmed: the charger accepts, charges, is stopped, ends.
    const commands = await api.request('GET', `/v1/chargers/${chargerCode}/commands`, { token });
    const startCommand = commands.body.data.find((c: any) => c.action === 'RequestStartTransaction');
    await api.request('POST', `/v1/chargers/${chargerCode}/commands/${startCommand.commandId}/result`, {
      token,
      body: { status: 'Accepted' },
    });
    const t0 = new Date(now - 30 * 60_000);
    await api.request('POST', `/v1/chargers/${chargerCode}/status-notifications`, {
      token,
      body: statusNotification('Occupied', t0),
    });
    const tx = { transactionId: 'TX-KEYS', remoteStartId: startCommand.request.remoteStartId };
    for (const event of [
      txEvent('Started', 0, { at: t0, beginWh: 1_000, chargingState: 'Charging', ...tx }),
      txEvent('Updated', 1, { at: new Date(t0.getTime() + 600_000), wh: 6_000, ...tx }),
    ]) {
      const ack = await api.request('POST', `/v1/chargers/${chargerCode}/transaction-events`, {
        token,
        body: event,
      });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    }
    const ip = loopbackAddress();
    expect(
      (await api.request('GET', `/v1/public-charging/sessions/${tenant.sessionToken}`, { sourceIp: ip }))
        .status,
    ).toBe(200);
    expect(
      (
        await api.request('POST', `/v1/public-charging/sessions/${tenant.sessionToken}/stop`, {
          sourceIp: ip,
        })
      ).status,
    ).toBe(200);
    const ended = await api.request('POST', `/v1/chargers/${chargerCode}/transaction-events`, {
      token,
      body: txEvent('Ended', 2, {
        at: new Date(t0.getTime() + 1_200_000),
        endWh: 9_000,
        stoppedReason: 'Remote',
        triggerReason: 'RemoteStop',
        transactionId: tx.transactionId,
      }),
    });
    expect(ended.body.session?.status, JSON.stringify(ended.body)).toBe('captured');

    // A second session on the other connector, left in created and cancelled; a third expired by the sweeper.
    const second = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: loopbackAddress(),
      body: { code: chargerCode, connector_id: 2 },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    await api.request('POST', `/v1/public-charging/sessions/${second.body.token}/cancel`, { sourceIp: ip });
    const third = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: loopbackAddress(),
      body: { code: chargerCode, connector_id: 2 },
    });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
    const report = await running.run('public-charging-sweeper', () =>
      sweepDueSessions(new Date(now + 11 * 60_000)),
    );
    expect(JSON.stringify(report)).toMatch(/\d/);

    // Webhooks: the fixture's endpoint (the sessions above gave it deliveries) changed, pinged, a delivery
    // resent, then the dispatcher's run (its receiver never resolves: each attempt fails fast, as DNS).
    const hook = `/v1/webhooks/${tenant.webhookId}`;
    expect((await api.request('PATCH', hook, { token, body: { description: 'Billing' } })).status).toBe(200);
    expect((await api.request('POST', `${hook}/test`, { token })).status).toBe(200);
    const resend = `${hook}/deliveries/${tenant.pathValues.deliveryId}/resend`;
    expect((await api.request('POST', resend, { token })).status).toBe(200);
    const { dispatchDue } = await import('../../shared/webhooks/delivery.js');
    const dispatched = await running.run('webhook-dispatcher', () =>
      dispatchDue(new Date(now + 11 * 60_000)),
    );
    expect(dispatched.due).toBeGreaterThan(0);
    // The same charger connected to the OCPP-J gateway: a driver's session from start to capture over it
    // (last of the charger's sessions: the gateway marks it offline when the connection closes).
    const { createOcppGateway } = await import('../../shared/ocpp/gateway.js');
    const { connectStation } = await import('../support/ocpp-station.js');
    // Its OCPP-J password first (its own item in the charger's partition; the charger is offline until it connects).
    await api.request('PUT', `/v1/chargers/${chargerCode}/ocpp-password`, {
      token,
      body: { password: 'leading-keys-password' },
    });
    const gateway = createOcppGateway({ commandPollMs: 100 });
    // Everything the gateway does runs in the context its server was started in.
    const { url } = await running.run('ocpp-gateway', () => gateway.listen(0, '127.0.0.1'));
    try {
      const station = await connectStation(url, chargerCode, 'leading-keys-password');
      await station.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { model: 'keys', vendorName: 'evsessions' },
      });
      await station.call('StatusNotification', statusNotification('Occupied', new Date(now)));
      await vi.waitFor(
        async () => {
          const charger = await api.request('GET', `/v1/chargers/${chargerCode}`, { token });
          expect(charger.body.online).toBe(true);
        },
        { timeout: 15_000, interval: 100 },
      );
      const overGateway = await api.request('POST', '/v1/public-charging/sessions', {
        sourceIp: loopbackAddress(),
        body: { code: chargerCode, connector_id: 1 },
      });
      expect(overGateway.status, JSON.stringify(overGateway.body)).toBe(201);
      await api.request('POST', `/v1/public-charging/sessions/${overGateway.body.token}/confirm`, {
        sourceIp: ip,
      });
      const { remoteStartId, idToken } = (await station.nextCall('RequestStartTransaction')).params;
      expect(await station.call('Authorize', { idToken })).toEqual({ idTokenInfo: { status: 'Accepted' } });
      const gtx = { transactionId: 'TX-KEYS-GW', remoteStartId };
      await station.call('TransactionEvent', {
        ...txEvent('Started', 0, { at: new Date(now), beginWh: 9_000, chargingState: 'Charging', ...gtx }),
        idToken,
      });
      await station.call('MeterValues', {
        evseId: 1,
        meterValue: [{ timestamp: new Date(now).toISOString(), sampledValue: [{ value: 9_000 }] }],
      });
      await api.request('POST', `/v1/public-charging/sessions/${overGateway.body.token}/stop`, {
        sourceIp: ip,
      });
      await station.nextCall('RequestStopTransaction');
      await station.call(
        'TransactionEvent',
        txEvent('Ended', 1, {
          at: new Date(now + 600_000),
          endWh: 12_000,
          stoppedReason: 'Remote',
          transactionId: gtx.transactionId,
        }),
      );
      const gatewaySession = await api.request(
        'GET',
        `/v1/public-charging/sessions/${overGateway.body.token}`,
        {
          sourceIp: ip,
        },
      );
      expect(gatewaySession.body.data.status).toBe('captured');
      await station.close();
    } finally {
      await gateway.close();
    }
    // The real-time worker, as its Lambda runs it per message: each entity the ingests above touched.
    const { runLive } = await import('../../shared/pipeline/live-worker.js');
    for (const entityId of [evId, cpId]) {
      const outcome = await running.run('live-worker', () =>
        runLive({ tenantId: tenant.tenantId, entityId }, `live-${entityId}`, {
          clock: () => new Date(now),
          log: quietLog,
        }),
      );
      expect(outcome.status, outcome.error).not.toBe('failed');
    }

    // The daily job, as `npm run aggregate` runs it: the planner pages the capture index, the worker
    // computes and stores each entity's sessions and rollups.
    const { loadWorkerHandler, runAggregation } = await import('../../infra/local/aggregate.js');
    const worker = await loadWorkerHandler();
    const attributed = Object.assign(
      (event: Parameters<typeof worker>[0]) => running.run('worker', () => worker(event)),
      {
        handleBatch: (event: Parameters<typeof worker>[0]) =>
          running.run('worker', () => worker.handleBatch(event)),
      },
    );
    const summary = await running.run('planner', () =>
      runAggregation({ worker: attributed, asOf: new Date(now), concurrency: 2 }),
    );
    expect(summary.deadLetters).toEqual([]);

    // The charger priced by a tariff and back (its reference count both ways); drivers see the tariff.
    for (const pricing of [undefined, chargerConfigInput().pricing]) {
      const body = chargerConfigInput({
        publicCode: chargerCode,
        entityId: cpId,
        pricing,
        ...(pricing ? {} : { tariffId: tenant.pathValues.tariffId }),
      });
      const put = await api.request('PUT', `/v1/chargers/${chargerCode}`, { token, body });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const shown = await api.request('GET', `/v1/public-charging/chargers/${chargerCode}`, {
        sourceIp: loopbackAddress(),
      });
      expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    }

    // A location's edit: naming a tariff and taking it off again (the tariff's reference count both ways).
    for (const body of [{ category: 'work', tariffId: tenant.pathValues.tariffId }, { tariffId: null }]) {
      const edit = await api.request('PATCH', `/v1/locations/${tenant.locationId}`, { token, body });
      expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    }

    // Clean-up routes: a location, the charger, the EV with its whole history.
    await api.request('DELETE', `/v1/locations/${tenant.locationId}`, { token });
    expect((await api.request('DELETE', hook, { token })).status).toBe(204);
    await api.request('DELETE', `/v1/chargers/${chargerCode}`, { token });
    const deleted = await api.request('DELETE', `/v1/entities/${evId}`, { token });
    expect([202, 204]).toContain(deleted.status);

    // Every function with a table grant took part.
    expect([...new Set(calls.map((c) => c.fn))].sort()).toEqual(
      Object.keys(CATALOG)
        .filter((name) => CATALOG[name]!.table)
        .sort(),
    );
    const refused = calls.flatMap((call) => {
      const table = CATALOG[call.fn]!.table;
      const problems: string[] = [];
      if (!table) return [`${call.fn} has no table grant but called ${call.action}`];
      if (!table.actions.includes(call.action as never)) problems.push(`action ${call.action} not granted`);
      if (call.index && !table.indexes?.includes(call.index as never))
        problems.push(`index ${call.index} not granted`);
      if (!call.index && table.indexesOnly) problems.push('the table itself is not granted');
      const patterns = keyPatterns(READS.has(call.action) ? table.reads : (table.writes ?? []));
      for (const key of call.partitionKeys)
        if (!patterns.some((pattern) => matchesKeyPattern(pattern, key)))
          problems.push(`key ${key} outside ${patterns.join(' ')}`);
      return problems.map(
        (problem) => `${call.fn} ${call.action}${call.index ? ` on ${call.index}` : ''}: ${problem}`,
      );
    });
    expect([...new Set(refused)]).toEqual([]);
    expect(calls.length).toBeGreaterThan(50);
  });
});
