// Stage: spells into sessions — which spells are one plug-in, and when a session is complete (nothing
// later can change it). README.md, "Sessions: merging and completion".

import { MAX_BRIDGE_GAP_MS, MERGE_GAP_MS, MOVE_ODOMETER_KM, SETTLE_GAP_MS } from './constants.js';
import { MOVED, STILL } from './movement.js';
import type { SessionBuilder } from './session-builder.js';

/** Unplugged or moved since the session's last spell: nothing later can join it. */
export function hasEnded(cur: SessionBuilder, unpluggedT: number): boolean {
  return cur.moved || unpluggedT >= cur.closeT;
}

/**
 * A spell starting at `start` joins the session when it was not ended and the pause is ≤ 2 h with the
 * vehicle known to have stayed (a plugged-in reading since, or the movement stage saw it standing still);
 * with neither known, only pauses ≤ 10 min join (another vehicle may have connected).
 */
export function joinsSession(
  cur: SessionBuilder,
  start: number,
  plug: { pluggedT: number; unpluggedT: number },
): boolean {
  const limit = plug.pluggedT >= cur.closeT || cur.stationarySeen ? MERGE_GAP_MS : SETTLE_GAP_MS;
  return !hasEnded(cur, plug.unpluggedT) && start - cur.end <= limit;
}

/**
 * A vehicle's reading after a session's last spell: did it move away, or stand still? The odometer is
 * authoritative when there is one; else the movement stage's verdict for the reading.
 */
export function observeAfterClose(cur: SessionBuilder, odometerKm: number, movement: number): void {
  if (cur.moved) return;
  if (!Number.isNaN(odometerKm) && !Number.isNaN(cur.closeOdo)) {
    if (odometerKm - cur.closeOdo >= MOVE_ODOMETER_KM) cur.moved = true;
    else cur.stationarySeen = true;
  } else if (movement === MOVED) {
    cur.moved = true;
  } else if (movement === STILL) {
    cur.stationarySeen = true;
  }
}

/**
 * A session with no spell open is complete once nothing later can join it: it ended (unplugged, moved),
 * or the data reaches more than 2 h past its end (the middle of the silence up to `to`, when the last
 * reading is older), or a whole day of silence follows.
 */
export function isComplete(
  cur: SessionBuilder,
  x: { lastT: number; to: number; unpluggedT: number },
): boolean {
  return (
    hasEnded(cur, x.unpluggedT) ||
    (x.lastT + x.to) / 2 - cur.end > MERGE_GAP_MS ||
    x.to - x.lastT > MAX_BRIDGE_GAP_MS
  );
}
