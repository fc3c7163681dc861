// Lambda: the daily job's worker (SQS → one entity per message → sessions, cursor, daily rollups).
import { processEntity } from '../shared/pipeline/process-entity.js';
import { createWorkerHandler } from '../shared/pipeline/worker.js';

export const handler = createWorkerHandler(processEntity);
