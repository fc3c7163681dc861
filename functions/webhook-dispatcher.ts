// Lambda, every minute (EventBridge Scheduler): attempts every webhook delivery that is due — first
// attempts of events recorded since the last run, and retries whose backoff has passed.
import { dispatchDue } from '../shared/webhooks/delivery.js';

export const handler = async () => dispatchDue(new Date());
