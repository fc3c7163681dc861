// The daily job's sizing, in one place: the CDK construct (infra/daily-job.ts), the worker and the local
// runner read these, so the invariants between them (lease vs timeout vs visibility) hold by construction.
// docs/daily-job.md explains the figures and what to change for a larger fleet.

/** The worker Lambda's timeout: a batch of WORKER_BATCH_SIZE entities, each normally well under 10 s. */
export const WORKER_TIMEOUT_SECONDS = 120;

/**
 * The queue's visibility timeout is this many worker timeouts: AWS's guidance for SQS event sources, so a
 * message is not handed out again while an invocation that throttled and retried may still hold it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = VISIBILITY_TIMEOUT_FACTOR * WORKER_TIMEOUT_SECONDS;

/** Messages per worker invocation (one entity each), processed concurrently within it. */
export const WORKER_BATCH_SIZE = 10;

/** Seconds the event source waits to fill a batch; a run's burst fills batches at once anyway. */
export const WORKER_BATCH_WINDOW_SECONDS = 5;

/**
 * Worker invocations at once (the event source's MaximumConcurrency): at most this × WORKER_BATCH_SIZE
 * entities in flight, which is what bounds the load on the table (docs/daily-job.md has the figures).
 */
export const WORKER_MAX_CONCURRENCY = 5;

/** Deliveries of a message before it moves to the dead-letter queue (and the alarm fires). */
export const MAX_RECEIVE_COUNT = 5;

/**
 * How long a worker holds an entity's lease. Longer than the worker timeout, so a live worker never loses
 * it; shorter than the visibility timeout, so the retry of a crashed worker's message finds it expired.
 */
export const ENTITY_LEASE_MS = 2 * WORKER_TIMEOUT_SECONDS * 1000;

/** The planner's timeout: 16 shards in parallel enqueue 100,000 entities in well under a minute. */
export const PLANNER_TIMEOUT_SECONDS = 300;

// ----- the real-time path (shared/pipeline/live-worker.ts, infra/operations.ts) ---------------------------

/**
 * Readings of one entity arriving within one bucket of this many seconds trigger one run: the notification's
 * deduplication id names the bucket, and the queue holds every message this long (its delivery delay), so the
 * one run that goes ahead sees every reading of its bucket. A session ending is listed within about two
 * buckets plus a run (goal: 5 minutes at p95).
 */
export const LIVE_BUCKET_SECONDS = 60;

/** The real-time worker's timeout: one entity's run reads an hour or so of readings. */
export const LIVE_WORKER_TIMEOUT_SECONDS = 60;

/** As for the daily queue: visibility = VISIBILITY_TIMEOUT_FACTOR × the worker's timeout. */
export const LIVE_VISIBILITY_TIMEOUT_SECONDS = VISIBILITY_TIMEOUT_FACTOR * LIVE_WORKER_TIMEOUT_SECONDS;

/** Messages per real-time invocation (FIFO: in order within an entity, entities in parallel groups). */
export const LIVE_BATCH_SIZE = 10;

/** `npm start`'s in-process stand-in for the bucket: readings of an entity within this long share a run. */
export const LOCAL_LIVE_DEBOUNCE_MS = 1_000;
