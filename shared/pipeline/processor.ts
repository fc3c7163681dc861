// The per-entity step the daily job's worker runs for each message: read the entity's readings since its
// cursor, compute its sessions, store them, then advance the cursor. The worker takes it as a parameter
// (the production one is processEntity, shared/pipeline/process-entity.ts; tests pass their own), so the
// worker's own duties (leases, rollups, partial batch failures) do not depend on how sessions are made.

import type { ProcessEntityResult } from './process-entity.js';

export interface EntityRef {
  tenantId: string;
  entityId: string;
}

/** What processEntity reports; a test processor returns the same. */
export type { ProcessEntityResult } from './process-entity.js';

/**
 * Processes one entity up to `now` (the run's as-of instant: retries of a run pass the same one, so a
 * retry computes what the first attempt would have). Throws on failures worth retrying.
 */
export type EntityProcessor = (ref: EntityRef, now: Date) => Promise<ProcessEntityResult>;
