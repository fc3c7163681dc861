// The drive that brought a vehicle to its charger, from the odometer and SoC: its consumption per km
// corrects a session's opening SoC read while still driving (and its closing SoC read after driving off).

import { CONSUMPTION_MIN_KM, MOVE_ODOMETER_KM } from './constants.js';
import type { Latest } from './latest.js';

export class Drives {
  /** Where the current drive began (reading index, odometer, SoC); index -1 when standing still. */
  startI = -1;
  startKm = 0;
  startSoc = 0;
  /** The last completed drive: consumption (% per km), where it began, when it ended. */
  lastPctPerKm = Number.NaN;
  lastI = -1;
  lastEndT = 0;

  /**
   * One reading with an odometer, before `latest` remembers it: an odometer tick starts (or continues) a
   * drive, none ends it. A drive starts only with a fresh SoC, to measure what it used.
   */
  observe(latest: Latest, reading: { t: number; odometerKm: number; soc: number }): void {
    if (latest.odometerI < 0) return;
    // Most readings are a parked car's: no tick and no drive under way, nothing to do (kept this short so
    // the scan's compiled code takes it in whole).
    if (reading.odometerKm - latest.odometerKm >= MOVE_ODOMETER_KM) this.ticked(latest, reading.t);
    else if (this.startI >= 0) this.ended(latest, reading.t, reading.soc);
  }

  /** An odometer tick: a drive starts here unless one is under way (and only with a fresh SoC). */
  private ticked(latest: Latest, t: number): void {
    if (this.startI < 0 && latest.freshSoc(t)) {
      this.startI = latest.odometerI;
      this.startKm = latest.odometerKm;
      this.startSoc = latest.soc;
    }
  }

  /** No tick after a drive: it just ended. Keep its consumption for a session that opens right after it. */
  private ended(latest: Latest, t: number, soc: number): void {
    const km = latest.odometerKm - this.startKm;
    const used = this.startSoc - (Number.isNaN(soc) ? latest.soc : soc);
    this.lastPctPerKm = km >= CONSUMPTION_MIN_KM && used > 0 ? used / km : Number.NaN;
    this.lastI = this.startI;
    this.lastEndT = t;
    this.startI = -1;
  }

  /** The drive under way, if long enough and it used some SoC: % per km, and where it began. */
  current(latest: Latest): { pctPerKm: number; index: number } | null {
    if (this.startI < 0) return null;
    const km = latest.odometerKm - this.startKm;
    const used = this.startSoc - latest.soc;
    return km >= CONSUMPTION_MIN_KM && used > 0 ? { pctPerKm: used / km, index: this.startI } : null;
  }
}
