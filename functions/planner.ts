// Lambda: the daily job's planner (EventBridge Scheduler → every entity with sessions on → the job queue).
import { createPlannerHandler, deployedJobQueue } from '../shared/pipeline/planner-handler.js';

export const handler = createPlannerHandler(deployedJobQueue);
