// Lambda: the operator's chargers, their public sessions, and the OCPP messages and command answers
// their CSMS relays (/v1/chargers…).
import { chargerHandlers } from '../shared/chargers/http.js';
import { createHttpHandler } from '../shared/http/handler.js';

export const handler = createHttpHandler(chargerHandlers);
