// The per-entity step the daily job's worker runs for each message: read the entity's readings since its
// cursor, compute its sessions, store them, then advance the cursor. The worker takes it as a parameter
// (the production one is processEntity, shared/pipeline/process-entity.ts; tests pass their own), so the
// worker's own duties (leases, rollups, partial batch failures) do not depend on how sessions are made.

export interface EntityRef {
  tenantId: string;
  entityId: string;
}

/** Structurally the result of processEntity, so that function is an EntityProcessor as it stands. */
export interface ProcessEntityResult {
  /** `skipped_disabled`: CaptureChargeSessions is off; `skipped_missing`: the entity was deleted. */
  status: 'processed' | 'skipped_disabled' | 'skipped_missing';
  readings: number;
  sessionsWritten: number;
  /** The entity's cursor before and after this run (an instant; null before its first run). */
  cursorBefore: string | null;
  cursorAfter: string | null;
  consumed: { readUnits: number; writeUnits: number };
}

/**
 * Processes one entity up to `now` (the run's as-of instant: retries of a run pass the same one, so a
 * retry computes what the first attempt would have). Throws on failures worth retrying.
 */
export type EntityProcessor = (ref: EntityRef, now: Date) => Promise<ProcessEntityResult>;
