// An in-memory EventSink for tests: records every event once per id (as the real sink must: idempotent by
// id), and keeps how many times each id was offered, so a test can tell a duplicate from a new event.

import type { DomainEvent, EventSink } from '../../shared/webhooks/events.js';

export class RecordingSink implements EventSink {
  readonly events: DomainEvent[] = [];
  readonly offered = new Map<string, number>();

  async record(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      const seen = this.offered.get(event.id) ?? 0;
      this.offered.set(event.id, seen + 1);
      if (seen === 0) this.events.push(event);
    }
  }

  types(): string[] {
    return this.events.map((event) => event.type);
  }
}
