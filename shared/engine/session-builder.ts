// A session being built by the scan (compute.ts): its running totals, and the totals committed at its
// last spell's close (the `c…` fields), so a spell found not to be charging (regeneration, SoC flicker)
// can be taken back.

import { METER_MAX_PLAUSIBLE_KW } from './constants.js';
import type { EvidenceKind } from './evidence.js';
import type { Edge } from './quality.js';
import { SessionSamples } from './samples.js';

const HOUR_MS = 3_600_000;

/** A session being built: running totals, and the totals committed at its last spell's close. */
export class SessionBuilder {
  start: number;
  /** Time of the reading that first showed this charge (epoch ms): fixed once seen, so it names the session. */
  anchor = 0;
  end = 0;
  truncated: boolean;
  /** Evidence kind of its first spell (SoC-only sessions have extra rules). */
  kind: EvidenceKind;
  /** Earliest reading this session depends on: a re-run must start there to compute it identically. */
  contextIndex: number;
  spells = 0;
  chargingMs = 0;
  closeT = 0;

  socOpen = Number.NaN;
  /** SoC used per km on the drive that ended at this session's charger (NaN if unknown). */
  pctPerKm = Number.NaN;
  rangeOpen = Number.NaN;
  socClose = Number.NaN;
  rangeClose = Number.NaN;

  // Meter: sum of plausible non-negative steps since the opening reading.
  meterOn = false;
  /** The register's value at the opening reading (zero: a per-plug-in register, sessions.ts). */
  meterOpenKwh = Number.NaN;
  meterLastE = 0;
  meterLastT = 0;
  meterSum = 0;
  meterResets = 0;
  cMeterSum = 0;
  cMeterResets = 0;
  cMeterLastT = 0;

  // Power: trapezoids over flowing intervals.
  powerEnergy = 0;
  powerOk = true;
  hadPower = false;
  peak = 0;
  cPowerEnergy = 0;
  cPowerOk = true;
  cHadPower = false;
  cPeak = 0;

  /** Highest SoC seen since opening, to record 1 % steps. */
  socMax = Number.NaN;
  /** First and last readings that showed charging (for the SoC refinement). */
  firstOnT = 0;
  lastOnT = 0;
  /** The first reading that showed charging in its latest spell (its rate before a pause, sessions.ts). */
  spellOnT = 0;

  /** What it keeps of its readings for the figures computed when it closes. */
  readonly samples = new SessionSamples();

  // Between this session's last spell and a possible next one (plug state is read from the scan's times).
  moved = false;
  stationarySeen = false;
  closeOdo = Number.NaN;
  /** A position was known at its last spell's close (so a later unmoved position means standing still). */
  located = false;

  /** How the boundaries were placed and the readings either side of each (the boundary lies between them). */
  startEdge: Edge = { rule: 'midpoint', from: 0, to: 0 };
  endEdge: Edge = { rule: 'midpoint', from: 0, to: 0 };

  constructor(start: number, truncated: boolean, kind: EvidenceKind, contextIndex: number) {
    this.start = start;
    this.truncated = truncated;
    this.kind = kind;
    this.contextIndex = contextIndex;
  }

  /**
   * A meter reading: the register's plausible non-negative steps are summed; a fall, or a jump no charger
   * can make (> 4 MW), is a reset, rollover or swap and is counted as such, not summed.
   */
  addMeter(t: number, kwh: number): void {
    if (!this.meterOn) return;
    const d = kwh - this.meterLastE;
    if (d < 0) this.meterResets++;
    else if (d <= (METER_MAX_PLAUSIBLE_KW * (t - this.meterLastT)) / HOUR_MS) this.meterSum += d;
    else this.meterResets++;
    this.meterLastE = kwh;
    this.meterLastT = t;
    this.samples.pushMeter(t, this.meterSum);
  }

  /**
   * A flowing interval: power's trapezoid (kWh) and the power at its ends (the peak). One that power did
   * not measure (NaN) means power cannot give the session's energy.
   */
  addFlowingInterval(trapezoidKwh: number, kwBefore: number, kwAfter: number): void {
    if (!(trapezoidKwh >= 0)) {
      this.powerOk = false;
      return;
    }
    const a = kwBefore > 0 ? kwBefore : 0;
    const b = kwAfter > 0 ? kwAfter : 0;
    this.powerEnergy += trapezoidKwh;
    this.hadPower = true;
    if (b > this.peak) this.peak = b;
    if (a > this.peak) this.peak = a;
  }

  /**
   * A SoC reading: a new high is a 1 % step (soc.ts), recorded with the reading before it (`fromT`, NaN
   * when none) and the spell it fell in (-1 outside one).
   */
  addSoc(t: number, soc: number, fromT: number, spell: number): void {
    if (soc > this.socMax) {
      if (!Number.isNaN(fromT)) this.samples.pushStep(fromT, t, soc, spell);
      this.socMax = soc;
    } else if (Number.isNaN(this.socMax)) {
      this.socMax = soc;
    }
    this.samples.pushSoc(t, soc);
  }

  /** A spell closed as charging: its totals are the session's now. `closeT`: its last evidence reading. */
  commit(closeT: number, lastOnT: number, spellOnT: number): void {
    this.spells++;
    this.spellOnT = spellOnT;
    this.closeT = closeT;
    this.lastOnT = lastOnT;
    this.cMeterSum = this.meterSum;
    this.cMeterResets = this.meterResets;
    this.cMeterLastT = this.meterLastT;
    this.cPowerEnergy = this.powerEnergy;
    this.cPowerOk = this.powerOk;
    this.cHadPower = this.hadPower;
    this.cPeak = this.peak;
    this.samples.commit();
    // Whether the vehicle moves away is watched afresh after each spell.
    this.moved = false;
    this.stationarySeen = false;
  }

  /** A spell found not to be charging (regeneration, SoC flicker): back to the last committed totals. */
  rollback(): void {
    this.meterSum = this.cMeterSum;
    this.meterResets = this.cMeterResets;
    this.powerEnergy = this.cPowerEnergy;
    this.powerOk = this.cPowerOk;
    this.hadPower = this.cHadPower;
    this.peak = this.cPeak;
    this.samples.revert();
  }
}
