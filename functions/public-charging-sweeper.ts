// Lambda, every minute (EventBridge Scheduler): expires abandoned public sessions, fails starts that
// never came, settles stops the charger never confirmed, and retries effects a crash left behind.
import { sweepDueSessions } from '../shared/public-sessions/sweeper.js';

export const handler = async () => sweepDueSessions(new Date());
