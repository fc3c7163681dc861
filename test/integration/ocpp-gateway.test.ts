// The OCPP-J gateway against a real client: ocpp-rpc's RPCClient as the charging station (strict,
// ocpp2.0.1, Basic auth), the API over HTTP as drivers and operators use it. A whole public session
// with no relay, a charger dropping out mid-start, refused handshakes, a malformed frame, two chargers
// at once, and the relay and the gateway feeding one session through one code path.
// Runs on dynalite and DynamoDB Local.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chargerConfigInput, later, statusNotification, txEvent } from '../fixtures/ocpp/builders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { connectStation, type TestStation } from '../support/ocpp-station.js';
import { createEntity, expectProblem, registerCharger } from '../support/requests.js';

let api: TestApi;
let operator: string;
let entityId: string;
let gateway: import('../../shared/ocpp/gateway.js').OcppGateway;
let endpoint: string;
const stations: TestStation[] = [];

const PASSWORD = 'correct-horse-battery-9';
/** Until `check` passes: generous, since a loaded machine can take seconds where an idle one takes ms. */
const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 15_000, interval: 100 });

beforeAll(async () => {
  api = await startTestApi();
  const { createOcppGateway } = await import('../../shared/ocpp/gateway.js');
  // Short polls and call time-outs, so retries show within a test.
  gateway = createOcppGateway({ commandPollMs: 100, callTimeoutMs: 1_000 });
  endpoint = (await gateway.listen(0, '127.0.0.1')).url;
  operator = await api.token('ocpp-operator');
  entityId = (await createEntity(api, operator, { type: 'CP', name: 'Gateway chargers' }, { capture: true }))
    .id;
});
afterAll(async () => {
  await Promise.all(stations.map((s) => s.close().catch(() => undefined)));
  await gateway?.close();
  await api?.close();
});

let nextIp = 10;
const freshIp = () => `127.0.2.${nextIp++}`;

/** A charger registered offline (the gateway sets `online`), with its OCPP password set. */
async function gatewayCharger(): Promise<string> {
  const code = await registerCharger(api, operator, entityId, { online: false });
  const set = await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, {
    token: operator,
    body: { password: PASSWORD },
  });
  expect(set.status, set.text).toBe(204);
  return code;
}

async function connect(code: string, answers?: Parameters<typeof connectStation>[3]) {
  const station = await connectStation(endpoint, code, PASSWORD, answers);
  stations.push(station);
  // Connected means online once the gateway has written so; drivers can start from then on.
  await eventually(async () => expect((await operatorCharger(code)).online).toBe(true));
  return station;
}

const publicCharger = async (code: string) =>
  (await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: freshIp() })).body.data;
const operatorCharger = async (code: string) =>
  (await api.request('GET', `/v1/chargers/${code}`, { token: operator })).body;
const sessionOf = async (token: string) =>
  (await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: freshIp() })).body.data;

/** A driver starts and pays on connector 1; answers the session token. */
async function driverStarts(code: string): Promise<string> {
  const ip = freshIp();
  const started = await api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: ip,
    body: { code, connector_id: 1 },
  });
  expect(started.status, started.text).toBe(201);
  const token: string = started.body.token;
  const confirmed = await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, {
    sourceIp: ip,
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return token;
}

/** Handshake refusals surface as the HTTP status of the failed upgrade. */
async function refusal(identity: string, password: string | undefined, protocols?: string[]) {
  try {
    const station = await connectStation(endpoint, identity, password, {}, protocols);
    stations.push(station);
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'connected';
}

describe('connecting', () => {
  it('boot, heartbeat and status over OCPP-J; online while connected, for drivers and operators', async () => {
    const code = await gatewayCharger();
    expect((await publicCharger(code)).online).toBe(false);

    const station = await connect(code.toLowerCase()); // the station id is the code, in any case
    await eventually(async () => expect((await publicCharger(code)).online).toBe(true));
    expect((await operatorCharger(code)).online).toBe(true);

    const boot = await station.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Sim-1', vendorName: 'evsessions' },
    });
    expect(boot).toEqual({ currentTime: expect.any(String), interval: 300, status: 'Accepted' });
    expect(Math.abs(Date.parse(boot.currentTime) - Date.now())).toBeLessThan(60_000);
    expect(await station.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });

    const status = statusNotification('Available', new Date());
    expect(await station.call('StatusNotification', status)).toEqual({});
    expect((await publicCharger(code)).connectors[0]).toMatchObject({ status: 'Available', available: true });

    // While connected, a reconfiguration cannot take it offline: the connection says it is online.
    const replaced = await api.request('PUT', `/v1/chargers/${code}`, {
      token: operator,
      body: chargerConfigInput({ publicCode: code, entityId, online: false, name: 'Renamed' }),
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'Renamed', online: true });

    await station.close();
    await eventually(async () => expect((await publicCharger(code)).online).toBe(false));
    expect((await operatorCharger(code)).online).toBe(false);
  });

  it('refuses a wrong or missing password (401), an unknown station (404), another protocol (400)', async () => {
    const code = await gatewayCharger();
    expect(await refusal(code, 'not-the-password-at-all')).toBe(401);
    expect(await refusal(code, undefined)).toBe(401);
    expect(await refusal('NOPE-404', PASSWORD)).toBe(404);
    expect(await refusal(code, PASSWORD, ['ocpp1.6'])).toBe(400);
    // A charger whose operator never set a password cannot connect at all.
    const unset = await registerCharger(api, operator, entityId);
    expect(await refusal(unset, PASSWORD)).toBe(401);
    expect((await publicCharger(code)).online).toBe(false);
  });

  it('setting a password makes a charger online by its connection: offline until it connects', async () => {
    const code = await registerCharger(api, operator, entityId); // online by default, as relayed chargers are
    expect((await operatorCharger(code)).online).toBe(true);
    await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, {
      token: operator,
      body: { password: PASSWORD },
    });
    expect((await operatorCharger(code)).online).toBe(false);
    const station = await connect(code);
    // Rotating the password of a connected charger leaves it online.
    await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, {
      token: operator,
      body: { password: 'another-password-0123' },
    });
    expect((await operatorCharger(code)).online).toBe(true);
    await station.close();
  });

  it('after five wrong passwords in a minute, a station is refused unchecked (429) until the minute ends', async () => {
    const code = await gatewayCharger();
    const { createOcppGateway, FAILED_HANDSHAKES_PER_MINUTE } = await import('../../shared/ocpp/gateway.js');
    // A clock that stays in one minute until the test moves it on.
    let clock = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
    const clocked = createOcppGateway({ now: () => new Date(clock) });
    const url = (await clocked.listen(0, '127.0.0.1')).url;
    const attempt = async (password: string) => {
      try {
        await (await connectStation(url, code, password)).close();
        return 'connected';
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
    };
    try {
      for (let i = 0; i < FAILED_HANDSHAKES_PER_MINUTE; i++)
        expect(await attempt('a-wrong-password-123')).toBe(401);
      expect(await attempt('a-wrong-password-123')).toBe(429);
      expect(await attempt(PASSWORD)).toBe(429); // even the right one, until the minute ends
      clock += 60_000;
      expect(await attempt(PASSWORD)).toBe('connected');
    } finally {
      await clocked.close();
    }
  });

  it('a rotated password: the old one is refused from then on', async () => {
    const code = await gatewayCharger();
    const rotated = 'rotated-password-0123456';
    const put = await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, {
      token: operator,
      body: { password: rotated },
    });
    expect(put.status).toBe(204);
    expect(await refusal(code, PASSWORD)).toBe(401);
    const station = await connectStation(endpoint, code, rotated);
    stations.push(station);
    await station.close();
    expectProblem(
      await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, {
        token: operator,
        body: { password: 'short' },
      }),
      400,
      'validation_failed',
    );
  });

  it('a malformed frame and an invalid TransactionEvent are answered with CALLERROR; the connection stays', async () => {
    const code = await gatewayCharger();
    const station = await connect(code);
    const replies: unknown[] = [];
    station.client.on('message', ({ message, outbound }: { message: Buffer | string; outbound: boolean }) => {
      const frame = outbound ? undefined : JSON.parse(String(message));
      if (frame?.[0] === 4) replies.push(frame); // CALLERRORs (the gateway's own calls come too)
    });
    station.client.sendRaw('[2, "bad-1", "Heartbeat"'); // not JSON
    station.client.sendRaw(JSON.stringify([2, 'bad-2', 'TransactionEvent', { eventType: 'Started' }]));
    await eventually(() => expect(replies).toHaveLength(2));
    expect(replies[0]).toEqual([4, '-1', 'RpcFrameworkError', expect.any(String), expect.anything()]);
    expect(replies[1]).toEqual([
      4,
      'bad-2',
      expect.stringMatching(/Violation$/),
      expect.any(String),
      expect.anything(),
    ]);
    expect(await station.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
  });
});

describe('a public session with no relay', () => {
  it('start by the API → RequestStartTransaction at the charger → Started/Updated/Ended → captured', async () => {
    const code = await gatewayCharger();
    const station = await connect(code);
    await station.call('StatusNotification', statusNotification('Available', new Date()));
    await eventually(async () => expect((await publicCharger(code)).online).toBe(true));

    const token = await driverStarts(code);
    const start = await station.nextCall('RequestStartTransaction');
    expect(start.params).toEqual({
      evseId: 1,
      remoteStartId: expect.any(Number),
      idToken: { idToken: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'Central' },
    });
    await eventually(async () => expect((await sessionOf(token)).status).toBe('starting'));
    // Answered: no longer waiting for a relay either.
    expect(
      (await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator })).body.data,
    ).toEqual([]);

    const t0 = new Date();
    const { remoteStartId, idToken } = start.params;
    const started = {
      ...txEvent('Started', 0, { at: t0, wh: 2_000, transactionId: 'GW-1', remoteStartId }),
      idToken,
    };
    expect(await station.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    // Only the session's own token, and only at its charger, is known.
    expect(await station.call('Authorize', { idToken })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await station.call('Authorize', { idToken: { idToken: 'RFID-0042', type: 'ISO14443' } })).toEqual({
      idTokenInfo: { status: 'Unknown' },
    });
    expect(await sessionOf(token)).toMatchObject({ status: 'charging' });
    await station.call(
      'TransactionEvent',
      txEvent('Updated', 1, { at: later(60_000, t0), wh: 6_000, transactionId: 'GW-1' }),
    );
    expect(await sessionOf(token)).toMatchObject({ status: 'charging', energy_kwh: '4.000' });

    const stop = await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, {
      sourceIp: freshIp(),
    });
    expect(stop.body.data.status).toBe('stopping');
    expect((await station.nextCall('RequestStopTransaction')).params).toEqual({ transactionId: 'GW-1' });
    await station.call(
      'TransactionEvent',
      txEvent('Ended', 2, {
        at: later(120_000, t0),
        endWh: 7_000,
        transactionId: 'GW-1',
        stoppedReason: 'Remote',
        triggerReason: 'RemoteStop',
      }),
    );
    // 5 kWh × €0.45 + €1.00 start fee.
    expect(await sessionOf(token)).toMatchObject({
      status: 'captured',
      energy_kwh: '5.000',
      cost_amount: 325,
    });
  });

  it('the relay and the gateway feed one session through one code path: a message sent both ways counts once', async () => {
    const code = await gatewayCharger();
    const station = await connect(code);
    const token = await driverStarts(code);
    const { remoteStartId } = (await station.nextCall('RequestStartTransaction')).params;
    const t0 = new Date();
    await station.call(
      'TransactionEvent',
      txEvent('Started', 0, { at: t0, wh: 1_000, transactionId: 'GW-2', remoteStartId }),
    );
    const update = txEvent('Updated', 1, {
      at: later(60_000, t0),
      wh: 4_000,
      transactionId: 'GW-2',
      chargingState: 'Charging',
    });
    const relayed = await api.request('POST', `/v1/chargers/${code}/transaction-events`, {
      token: operator,
      body: update,
    });
    expect(relayed.body.session.status).toBe('charging');
    expect(await station.call('TransactionEvent', update)).toEqual({});
    expect(await sessionOf(token)).toMatchObject({ status: 'charging', energy_kwh: '3.000' });
    // A status over the relay reaches the same connector the gateway reports on.
    await api.request('POST', `/v1/chargers/${code}/status-notifications`, {
      token: operator,
      body: statusNotification('Occupied', new Date()),
    });
    expect((await publicCharger(code)).connectors[0].status).toBe('Charging');
  });
});

describe('a charger that drops out', () => {
  it('lost mid-command: the start stays waiting and is sent again when the charger is back', async () => {
    const code = await gatewayCharger();
    let drop = true;
    const first = await connect(code, {
      // The connection dies before the charger can answer.
      RequestStartTransaction: () => {
        if (drop) void first.client.close({ force: true });
        return new Promise(() => undefined);
      },
    });
    const token = await driverStarts(code);
    await first.nextCall('RequestStartTransaction');
    await eventually(async () => expect((await publicCharger(code)).online).toBe(false));
    expect(await sessionOf(token)).toMatchObject({ status: 'authorized' });

    drop = false;
    const again = await connect(code);
    expect(await again.nextCall('RequestStartTransaction')).toBeDefined();
    await eventually(async () => expect((await sessionOf(token)).status).toBe('starting'));
    expect((await publicCharger(code)).online).toBe(true);
  });

  it('offline during starting, back with queued events: asked for its queue first, no second start', async () => {
    const code = await gatewayCharger();
    const first = await connect(code);
    const token = await driverStarts(code);
    const { remoteStartId } = (await first.nextCall('RequestStartTransaction')).params;
    await eventually(async () => expect((await sessionOf(token)).status).toBe('starting'));
    await first.close();
    await eventually(async () => expect((await publicCharger(code)).online).toBe(false));
    expect(await sessionOf(token)).toMatchObject({ status: 'starting' });

    // Back, with the transaction it started while offline still queued.
    let queued = true;
    const back = await connect(code, { GetTransactionStatus: () => ({ messagesInQueue: queued }) });
    await back.nextCall('GetTransactionStatus');
    await eventually(async () => expect((await publicCharger(code)).online).toBe(true));
    const t0 = new Date();
    await back.call('TransactionEvent', {
      ...txEvent('Started', 0, { at: t0, wh: 0, transactionId: 'GW-3', remoteStartId, offline: true }),
    });
    queued = false;
    expect(await sessionOf(token)).toMatchObject({ status: 'charging' });
    await back.nextCall('GetTransactionStatus'); // the queue is empty now: commands may go out again
    const stop = await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, {
      sourceIp: freshIp(),
    });
    expect(stop.body.data.status).toBe('stopping');
    expect((await back.nextCall('RequestStopTransaction')).params).toEqual({ transactionId: 'GW-3' });
  });

  it('started while its Accepted was lost: back with queued events, the start is not sent a second time', async () => {
    const code = await gatewayCharger();
    const first = await connect(code, {
      // The charger starts, but the connection dies before its Accepted gets out.
      RequestStartTransaction: () => {
        void first.client.close({ force: true });
        return new Promise(() => undefined);
      },
    });
    const token = await driverStarts(code);
    const { remoteStartId, idToken } = (await first.nextCall('RequestStartTransaction')).params;
    await eventually(async () => expect((await publicCharger(code)).online).toBe(false));
    expect(await sessionOf(token)).toMatchObject({ status: 'authorized' }); // as far as we know

    let queued = true;
    const back = await connect(code, { GetTransactionStatus: () => ({ messagesInQueue: queued }) });
    await back.nextCall('GetTransactionStatus');
    await back.nextCall('GetTransactionStatus'); // asked again at the next poll: still queued, still waiting
    await expect(back.nextCall('RequestStartTransaction', 300)).rejects.toThrow(/no RequestStartTransaction/);
    const t0 = new Date();
    const started = txEvent('Started', 0, {
      at: t0,
      wh: 0,
      transactionId: 'GW-4',
      remoteStartId,
      offline: true,
    });
    await back.call('TransactionEvent', { ...started, idToken });
    queued = false;
    expect(await sessionOf(token)).toMatchObject({ status: 'charging' });
    await back.nextCall('GetTransactionStatus');
    await expect(back.nextCall('RequestStartTransaction', 300)).rejects.toThrow(/no RequestStartTransaction/);
  });

  it('a charger without GetTransactionStatus (NotImplemented) still gets its commands', async () => {
    const code = await gatewayCharger();
    const { createRPCError } = await import('ocpp-rpc');
    const station = await connect(code, {
      GetTransactionStatus: () => {
        throw createRPCError('NotImplemented');
      },
    });
    const token = await driverStarts(code);
    await station.nextCall('RequestStartTransaction');
    await eventually(async () => expect((await sessionOf(token)).status).toBe('starting'));
  });
});

describe('two chargers at once', () => {
  it('each gets its own commands and sessions', async () => {
    const [a, b] = await Promise.all([gatewayCharger(), gatewayCharger()]);
    const [stationA, stationB] = await Promise.all([connect(a as string), connect(b as string)]);
    const [tokenA, tokenB] = await Promise.all([driverStarts(a as string), driverStarts(b as string)]);
    const [startA, startB] = await Promise.all([
      stationA.nextCall('RequestStartTransaction'),
      stationB.nextCall('RequestStartTransaction'),
    ]);
    expect(startA.params.idToken.idToken).not.toBe(startB.params.idToken.idToken);
    await eventually(async () => {
      expect((await sessionOf(tokenA)).status).toBe('starting');
      expect((await sessionOf(tokenB)).status).toBe('starting');
    });
    const t0 = new Date();
    await Promise.all([
      stationA.call(
        'TransactionEvent',
        txEvent('Started', 0, {
          at: t0,
          wh: 0,
          transactionId: 'A-1',
          remoteStartId: startA.params.remoteStartId,
        }),
      ),
      stationB.call(
        'TransactionEvent',
        txEvent('Started', 0, {
          at: t0,
          wh: 0,
          transactionId: 'B-1',
          remoteStartId: startB.params.remoteStartId,
        }),
      ),
    ]);
    expect(await sessionOf(tokenA)).toMatchObject({ status: 'charging' });
    expect(await sessionOf(tokenB)).toMatchObject({ status: 'charging' });
    expect(gateway.connections()).toBeGreaterThanOrEqual(2);
  });
});
