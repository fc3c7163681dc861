// Charge sessions for the listing tests, written straight through the store (the engine that computes
// them is built elsewhere), and a recorder of the DynamoDB calls the API makes while serving a request.

import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { documentClient } from '../../shared/storage/client.js';
import { upsertSession } from '../../shared/storage/sessions.js';

export interface TestEntity {
  id: string;
  type: 'EV' | 'CP';
}

/** A session id in UUID form (36 characters, as EV-ChART allows), unique per number. */
export function sessionId(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A plain calculated session of `entity` starting at `startMs`, lasting an hour, numbered `n`. */
export function sessionAt(
  tenantId: string,
  entity: TestEntity,
  startMs: number,
  n: number,
  overrides: Partial<ChargeSessionRecord> = {},
): ChargeSessionRecord {
  const start = new Date(startMs).toISOString();
  return {
    tenantId,
    entityId: entity.id,
    entityType: entity.type,
    id: sessionId(n),
    start,
    end: new Date(startMs + 3_600_000).toISOString(),
    energyKwh: 10 + (n % 50) / 4,
    averagePowerKw: 7.2,
    peakPowerKw: 11,
    chargingSeconds: 3_300,
    socStartPercent: entity.type === 'EV' ? 20 : null,
    socEndPercent: entity.type === 'EV' ? 80 : null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    position: null,
    method: entity.type === 'EV' ? 'state_of_charge' : 'power_flow',
    source: 'calculated',
    created: new Date(startMs + 86_400_000).toISOString(),
    measured: null,
    ...overrides,
  };
}

/** Writes sessions through the store, a few at a time. */
export async function writeSessions(
  sessions: readonly ChargeSessionRecord[],
  concurrency = 24,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < sessions.length) {
      const session = sessions[next++] as ChargeSessionRecord;
      await upsertSession(session);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface DynamoCall {
  command: string;
  input: Record<string, any>;
  output: Record<string, any> | undefined;
}

const RECORDER = 'evsTestDynamoCallRecorder';

/**
 * Records every call made through the process's DocumentClient (the one the handlers use, since the
 * local runner runs them in this process), except the authorizer's token lookups.
 */
export function recordDynamoCalls() {
  const calls: DynamoCall[] = [];
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      const result = await next(args);
      const pk = input.Key?.pk;
      const isTokenLookup = typeof pk === 'string' ? pk.startsWith('TOKEN#') : pk?.S?.startsWith('TOKEN#');
      if (!isTokenLookup) {
        calls.push({
          command: String(context.commandName).replace(/Command$/, ''),
          input,
          output: result.output as Record<string, any> | undefined,
        });
      }
      return result;
    },
    { step: 'initialize', name: RECORDER },
  );
  return {
    calls,
    reset: () => {
      calls.length = 0;
    },
    stop: () => documentClient().middlewareStack.remove(RECORDER),
  };
}
