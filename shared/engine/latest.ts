// The latest value of each signal as the scan goes (compute.ts), with its time and reading index: the
// baselines a session opens with, and what the next run must re-read (resumeFrom). Index -1: none yet.
// It is also the `Previous` the evidence stage reads (evidence.ts), so the meter's and SoC's times are NaN
// until one is read.

import { BASELINE_MAX_AGE_MS } from './constants.js';

export class Latest {
  meterKwh = 0;
  meterT = Number.NaN;
  meterI = -1;
  soc = 0;
  socT = Number.NaN;
  socI = -1;
  rangeKm = 0;
  rangeT = 0;
  rangeI = -1;
  odometerKm = 0;
  odometerT = 0;
  odometerI = -1;
  lat = 0;
  lon = 0;
  locT = 0;
  locI = -1;
  /** Times of the latest power reading and the latest charging flag (evidence.ts: side messages). */
  powerT = Number.NEGATIVE_INFINITY;
  flagT = Number.NEGATIVE_INFINITY;
  /** Times of the latest readings saying unplugged / plugged in. */
  unpluggedT = Number.NEGATIVE_INFINITY;
  pluggedT = Number.NEGATIVE_INFINITY;

  freshMeter(at: number): boolean {
    return fresh(this.meterI, this.meterT, at);
  }
  freshSoc(at: number): boolean {
    return fresh(this.socI, this.socT, at);
  }
  freshRange(at: number): boolean {
    return fresh(this.rangeI, this.rangeT, at);
  }
  freshOdometer(at: number): boolean {
    return fresh(this.odometerI, this.odometerT, at);
  }
  freshLocation(at: number): boolean {
    return fresh(this.locI, this.locT, at);
  }

  /** The earliest reading before `context` holding a value read at or after `horizon` (a baseline to keep). */
  earliestSince(context: number, horizon: number): number {
    let c = context;
    if (this.meterI >= 0 && this.meterI < c && this.meterT >= horizon) c = this.meterI;
    if (this.socI >= 0 && this.socI < c && this.socT >= horizon) c = this.socI;
    if (this.rangeI >= 0 && this.rangeI < c && this.rangeT >= horizon) c = this.rangeI;
    if (this.odometerI >= 0 && this.odometerI < c && this.odometerT >= horizon) c = this.odometerI;
    if (this.locI >= 0 && this.locI < c && this.locT >= horizon) c = this.locI;
    return c;
  }
}

/** A value read no longer than BASELINE_MAX_AGE_MS (45 min) before `at`: still a baseline. */
function fresh(index: number, time: number, at: number): boolean {
  return index >= 0 && at - time <= BASELINE_MAX_AGE_MS;
}
