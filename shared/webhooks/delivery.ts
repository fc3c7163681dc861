// Attempts deliveries: one at a time (`attemptDelivery`: claim, send, store the outcome, update the
// endpoint) and all that are due (`dispatchDue`, what the scheduled dispatcher runs every minute and the
// local runner runs in process). The clock is a parameter: `now` decides what is due and when to retry;
// `sentAt` stamps the request (`webhook-timestamp`), which receivers check against their own clock.

import { config } from '../config.js';
import { logger } from '../logger.js';
import * as store from '../storage/webhooks.js';
import {
  afterAttempt,
  CLAIM_MS,
  DELIVERY_TIMEOUT_MS,
  type DeliveryState,
  describeResult,
  withAttempt,
} from './domain.js';
import { type Resolver, sendWebhook } from './transport.js';

const log = logger.child({ area: 'webhooks' });

export interface DeliveryDeps {
  /** The wall clock a request is stamped with; real time unless a test says otherwise. */
  sentAt?: () => Date;
  resolve?: Resolver;
  timeoutMs?: number;
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'gone' | 'cancelled' | 'skipped';

/** The `webhook-id` of a delivery: the same on every attempt of it. */
export const messageIdOf = (deliveryId: string) => `msg_${deliveryId.replaceAll('-', '')}`;

/**
 * One attempt at a pending delivery that is due at `now`. A delivery whose endpoint was deleted or
 * disabled is cancelled instead; one another dispatcher holds, or not due yet, is left alone.
 */
export async function attemptDelivery(
  ref: store.DeliveryRef,
  now: Date,
  deps: DeliveryDeps = {},
): Promise<AttemptOutcome> {
  const delivery = await store.getDelivery(ref);
  if (delivery?.status !== 'pending') return 'skipped';
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) > now.getTime()) return 'skipped';
  const endpoint = await store.getEndpoint(ref.tenantId, ref.endpointId);
  if (!endpoint?.enabled) {
    const cancelled: DeliveryState = { ...delivery, status: 'cancelled', nextAttemptAt: null };
    await store.saveDeliveryState(delivery, cancelled, delivery.attempts);
    return 'cancelled';
  }
  if (!(await store.claimDelivery(delivery, now, CLAIM_MS))) return 'skipped';

  const sentAt = deps.sentAt?.() ?? new Date();
  const result = await sendWebhook(
    {
      url: endpoint.url,
      secret: endpoint.secret,
      messageId: messageIdOf(delivery.deliveryId),
      payload: delivery.payload,
      sentAt,
    },
    {
      allowLoopback: config().webhooksAllowLoopback,
      timeoutMs: deps.timeoutMs ?? DELIVERY_TIMEOUT_MS,
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    },
  );
  const durationMs = Math.max(0, (deps.sentAt?.() ?? new Date()).getTime() - sentAt.getTime());
  const { state, endpoint: change } = afterAttempt(delivery, result, now);
  const attempts = withAttempt(delivery.attempts, {
    attempt: state.attemptCount,
    at: now.toISOString(),
    statusCode: 'statusCode' in result ? result.statusCode : null,
    error: 'error' in result ? result.error : null,
    durationMs,
  });
  if (!(await store.saveDeliveryState(delivery, state, attempts))) return 'skipped';

  if (change === 'healthy' && endpoint.failingSince) {
    await store.markEndpoint(ref.tenantId, ref.endpointId, { kind: 'healthy' }, now);
  } else if (change === 'failing' || change === 'gone') {
    await store.markEndpoint(
      ref.tenantId,
      ref.endpointId,
      { kind: change, error: describeResult(result) },
      now,
    );
    log.warn(change === 'gone' ? 'endpoint answered 410: disabled' : 'delivery given up: endpoint failing', {
      tenantId: ref.tenantId,
      endpointId: ref.endpointId,
      deliveryId: ref.deliveryId,
    });
  }
  if (change === 'gone') return 'gone';
  return state.status === 'delivered' ? 'delivered' : state.status === 'failed' ? 'failed' : 'retrying';
}

/** Deliveries looked at per run, over all shards: far above any realistic rate at one run a minute. */
export const DISPATCH_LIMIT = 2_000;
/** Attempts in flight at once: each may wait up to the 10 s timeout on a slow receiver. */
const CONCURRENCY = 16;

export interface DispatchReport {
  due: number;
  delivered: number;
  retrying: number;
  failed: number;
  errors: number;
}

/** Attempts every delivery due at `now` (the due index, every shard). */
export async function dispatchDue(now: Date, deps: DeliveryDeps = {}): Promise<DispatchReport> {
  const perShard = Math.ceil(DISPATCH_LIMIT / store.WEBHOOK_DUE_SHARDS);
  const shards = await Promise.all(
    Array.from({ length: store.WEBHOOK_DUE_SHARDS }, (_, shard) =>
      store.listDueDeliveries(shard, now, perShard),
    ),
  );
  const refs = shards.flat();
  const report: DispatchReport = { due: refs.length, delivered: 0, retrying: 0, failed: 0, errors: 0 };
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const ref = refs[next++] as store.DeliveryRef;
      try {
        const outcome = await attemptDelivery(ref, now, deps);
        if (outcome === 'delivered') report.delivered++;
        else if (outcome === 'retrying') report.retrying++;
        else if (outcome === 'failed' || outcome === 'gone') report.failed++;
      } catch (error) {
        // Stays in the due index: the next run tries again.
        report.errors++;
        log.warn('could not attempt a delivery; the next run retries', { ...ref, error });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (report.due > 0) log.info('webhook dispatch', { ...report });
  return report;
}

/**
 * Attempts the deliveries a queue message names (their first attempts, at once). Ids of messages whose
 * attempts could not be made (a table error) are returned for SQS to deliver again; a delivery that is
 * not due or not pending any more is simply skipped.
 */
export async function attemptQueued(
  messages: readonly { messageId: string; deliveries: store.DeliveryRef[] }[],
  now: Date,
  deps: DeliveryDeps = {},
): Promise<string[]> {
  const failed = new Set<string>();
  const work = messages.flatMap((message) =>
    message.deliveries.map((ref) => ({ ref, messageId: message.messageId })),
  );
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const { ref, messageId } = work[next++]!;
      try {
        await attemptDelivery(ref, now, deps);
      } catch (error) {
        failed.add(messageId);
        log.warn('could not attempt a queued delivery; SQS delivers the message again', { ...ref, error });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return [...failed];
}
