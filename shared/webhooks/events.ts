// The events we promise to deliver to webhook endpoints, and the port the domain records them through.
// Producers (the session engine's runs, public charging) describe what happened; the webhooks area stores
// the events durably and delivers them to every subscribed endpoint (Standard Webhooks, at least once).

export const WEBHOOK_EVENT_TYPES = [
  /** A charge session is first seen in progress (status `active`). */
  'charge_session.started',
  /** An active session's provisional values changed; at most one per session every few minutes. */
  'charge_session.updated',
  /** A session is complete (status `completed`): final values. */
  'charge_session.completed',
  /** A session was replaced: a charger's measured session won over a calculated one, or a provisional one was withdrawn. */
  'charge_session.superseded',
  /** A driver's public charging session changed status. */
  'public_charging_session.status_changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event, as the producer records it; the payload sent is `{ type, timestamp, data }`. */
export interface DomainEvent {
  /**
   * Deterministic for the fact it reports (e.g. from the session id, the type and the version of its
   * values), so a retried run that records the same fact again records nothing new.
   */
  id: string;
  type: WebhookEventType;
  tenantId: string;
  /** ISO 8601 UTC: when the fact happened (the payload's `timestamp`). */
  occurredAt: string;
  /** The resource as the API returns it (a charge session as in the listings, a public session as polled). */
  data: unknown;
}

/**
 * Where producers put events. `record` resolves once the events are stored durably (so a producer that
 * records its events before it stores the change they report never loses one), and is idempotent by id.
 */
export interface EventSink {
  record(events: readonly DomainEvent[]): Promise<void>;
}
