// Lambda: the real-time path's worker (live FIFO queue → one entity per message → active/completed sessions).
import { createLiveWorkerHandler } from '../shared/pipeline/live-worker.js';

export const handler = createLiveWorkerHandler();
