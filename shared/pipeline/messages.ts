// The daily job's queue message: one entity of one run. One entity per message, so SQS's partial batch
// responses, retries and dead-letter queue all act on exactly the entity that failed.

import * as z from 'zod/mini';
import { boundedString } from '../schema.js';

export const EntityJobMessage = z.strictObject({
  /** Format version, so a deployment that changes the shape can tell old messages in flight. */
  v: z.literal(1),
  tenantId: boundedString(1, 200),
  entityId: boundedString(1, 200),
  /** The run's as-of instant: readings up to here are processed, the same on every retry. */
  asOf: z.iso.datetime(),
  /** The run, for logs: the schedule's execution, or the local runner's. */
  runId: boundedString(1, 200),
});

export type EntityJobMessage = z.output<typeof EntityJobMessage>;

export function encodeJobMessage(message: EntityJobMessage): string {
  return JSON.stringify(message);
}

/** The message in an SQS body, or undefined when it is not one (a poison message). */
export function decodeJobMessage(body: string): EntityJobMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = EntityJobMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The real-time queue's message: readings arrived for this entity. No instant in it: the run reads up to
 * the newest reading stored when it runs, so a coalesced or retried message computes from what is there.
 */
export const LiveMessage = z.strictObject({
  v: z.literal(1),
  tenantId: boundedString(1, 200),
  entityId: boundedString(1, 200),
});
export type LiveMessage = z.output<typeof LiveMessage>;

export function encodeLiveMessage(message: LiveMessage): string {
  return JSON.stringify(message);
}

export function decodeLiveMessage(body: string): LiveMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = LiveMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
