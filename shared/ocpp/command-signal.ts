// "A command for charger X was stored": an in-process signal from the session engine to an OCPP-J
// gateway running in the same process (npm start, the tests), so a command goes out at once rather
// than at the gateway's next poll. A gateway in another process (the deployed one) only polls; a table
// stream to the gateway is the step that would make that immediate too (docs/architecture.md).

import { EventEmitter } from 'node:events';

const signal = new EventEmitter();
signal.setMaxListeners(0);

export function announceCommand(chargerCode: string): void {
  signal.emit('command', chargerCode);
}

/** Calls `listener` with the charger code of every command stored from now on; returns the unsubscribe. */
export function onCommand(listener: (chargerCode: string) => void): () => void {
  signal.on('command', listener);
  return () => signal.off('command', listener);
}
