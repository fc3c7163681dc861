// Injects DynamoDB faults into this process's DocumentClient (the one the in-process API uses): a chosen
// share of chosen commands fail with throttling, timeouts or 5xx before the SDK's retries see them, as if
// the failure outlasted the retries. Deterministic: a seeded generator decides which calls fail.

import { documentClient } from '../../shared/storage/client.js';

export type FaultKind = 'throttle' | 'timeout' | 'server';

export interface FaultPlan {
  /** Command names (e.g. PutItemCommand, UpdateItemCommand) that may fail; all when omitted. */
  commands?: string[];
  /** Share of matching calls that fail, 0–1. */
  rate: number;
  seed?: number;
  kinds?: FaultKind[];
}

export interface FaultStats {
  calls: number;
  failed: number;
  byCommand: Record<string, number>;
}

function faultError(kind: FaultKind): Error {
  if (kind === 'throttle') {
    return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
  }
  if (kind === 'timeout')
    return Object.assign(new Error('Connection timed out'), { name: 'TimeoutError', $metadata: {} });
  return Object.assign(new Error('Internal server error'), {
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

let active: (FaultPlan & { next: () => number; stats: FaultStats }) | undefined;
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const plan = active;
      const command = String((context as { commandName?: string }).commandName ?? '');
      if (plan && (!plan.commands || plan.commands.includes(command))) {
        plan.stats.calls++;
        if (plan.next() < plan.rate) {
          plan.stats.failed++;
          plan.stats.byCommand[command] = (plan.stats.byCommand[command] ?? 0) + 1;
          const kinds = plan.kinds ?? ['throttle', 'timeout', 'server'];
          throw faultError(kinds[plan.stats.failed % kinds.length] as FaultKind);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'evsessionsTestFaults', priority: 'high' },
  );
}

/** Starts failing calls by `plan` until the returned function is called; it returns what happened. */
export function injectFaults(plan: FaultPlan): () => FaultStats {
  install();
  let state = (plan.seed ?? 1) >>> 0 || 1;
  const stats: FaultStats = { calls: 0, failed: 0, byCommand: {} };
  active = {
    ...plan,
    stats,
    next: () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    },
  };
  return () => {
    active = undefined;
    return stats;
  };
}
