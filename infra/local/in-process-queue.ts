// The daily job's queue for local runs and tests: what the planner sends and the worker consumes, in
// memory, with SQS's delivery rules as far as the job relies on them — a message failed by the worker is
// delivered again (at once here, after the visibility timeout on AWS), with its receive count, and moves to
// the dead-letter list after `maxReceiveCount` deliveries.

import type { QueueEntry, QueueEntryFailure, QueueSender } from '../../shared/pipeline/planner.js';

export interface QueuedMessage {
  messageId: string;
  body: string;
  /** Deliveries so far, this one included once received. */
  receiveCount: number;
  sentAtMs: number;
}

export class InProcessQueue implements QueueSender {
  private readonly ready: QueuedMessage[] = [];
  private readonly inFlight = new Map<string, QueuedMessage>();
  readonly deadLetters: QueuedMessage[] = [];
  private sequence = 0;
  sent = 0;

  constructor(
    private readonly options: {
      /** Makes message ids unique across the runs of one process. */
      idPrefix: string;
      maxReceiveCount: number;
      /** Lets a test refuse entries the way SendMessageBatch can (throttling, an internal error). */
      refuse?: (entry: QueueEntry) => QueueEntryFailure | undefined;
      now?: () => number;
    },
  ) {}

  async sendBatch(entries: readonly QueueEntry[]): Promise<{ failed: QueueEntryFailure[] }> {
    const failed: QueueEntryFailure[] = [];
    for (const entry of entries) {
      const refusal = this.options.refuse?.(entry);
      if (refusal) {
        failed.push(refusal);
        continue;
      }
      this.ready.push({
        messageId: `${this.options.idPrefix}-${++this.sequence}`,
        body: entry.body,
        receiveCount: 0,
        sentAtMs: this.options.now?.() ?? Date.now(),
      });
      this.sent++;
    }
    return { failed };
  }

  /** Up to `max` messages, oldest first; each is in flight until acknowledged or failed. */
  receive(max: number): QueuedMessage[] {
    const batch = this.ready.splice(0, max);
    for (const message of batch) {
      message.receiveCount++;
      this.inFlight.set(message.messageId, message);
    }
    return batch;
  }

  /** Deletes messages the worker processed. */
  acknowledge(messageIds: Iterable<string>): void {
    for (const id of messageIds) this.inFlight.delete(id);
  }

  /** Returns failed messages for another delivery, or to the dead letters once they have had enough. */
  fail(messageIds: Iterable<string>): void {
    for (const id of messageIds) {
      const message = this.inFlight.get(id);
      if (!message) continue;
      this.inFlight.delete(id);
      if (message.receiveCount >= this.options.maxReceiveCount) this.deadLetters.push(message);
      else this.ready.push(message);
    }
  }

  get waiting(): number {
    return this.ready.length;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }
}
