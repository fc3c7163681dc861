// What a session being built keeps of its readings for the figures computed when it closes: positions
// (its median position), the meter and SoC over time (peak rates, the meter's rate before an end) and the
// SoC's 1 % steps (soc.ts). A spell found not to be charging (regeneration, SoC flicker) is taken back,
// so the lengths at the last committed spell are kept too.

import type { SocSteps } from './soc.js';

export class SessionSamples {
  readonly lat: number[] = [];
  readonly lon: number[] = [];
  /** Meter: time, and the session's summed energy at that time. */
  readonly meterT: number[] = [];
  readonly meterV: number[] = [];
  readonly socT: number[] = [];
  readonly socV: number[] = [];
  /** SoC steps: the reading before the step, the reading that shows it, the new level, the spell (-1 outside one). */
  readonly steps = { from: [] as number[], at: [] as number[], level: [] as number[], spell: [] as number[] };

  /** Lengths at the last committed spell. */
  committed = { located: 0, meter: 0, soc: 0, steps: 0 };

  pushLocation(lat: number, lon: number): void {
    this.lat.push(lat);
    this.lon.push(lon);
  }

  pushMeter(t: number, kwh: number): void {
    this.meterT.push(t);
    this.meterV.push(kwh);
  }

  pushSoc(t: number, soc: number): void {
    this.socT.push(t);
    this.socV.push(soc);
  }

  pushStep(from: number, at: number, level: number, spell: number): void {
    this.steps.from.push(from);
    this.steps.at.push(at);
    this.steps.level.push(level);
    this.steps.spell.push(spell);
  }

  /** The SoC steps recorded so far, or up to the last committed spell. */
  socSteps(committedOnly: boolean): SocSteps {
    const { from, at, level, spell } = this.steps;
    return { from, at, level, spell, n: committedOnly ? this.committed.steps : at.length };
  }

  commit(): void {
    this.committed = {
      located: this.lat.length,
      meter: this.meterT.length,
      soc: this.socT.length,
      steps: this.steps.at.length,
    };
  }

  revert(): void {
    const c = this.committed;
    this.lat.length = this.lon.length = c.located;
    this.meterT.length = this.meterV.length = c.meter;
    this.socT.length = this.socV.length = c.soc;
    const s = this.steps;
    s.from.length = s.at.length = s.level.length = s.spell.length = c.steps;
  }

  /** The metered rate (kWh per ms) between the first meter sample at or after `from` and the last at or before `to`, and that span (ms); NaN rate when fewer than two. */
  meterRateBetween(from: number, to: number): { rate: number; spanMs: number } {
    const ts = this.meterT;
    let j = ts.length - 1;
    while (j >= 0 && ts[j]! > to) j--;
    let k = j;
    while (k > 0 && ts[k - 1]! >= from) k--;
    if (!(k >= 0 && k < j)) return { rate: Number.NaN, spanMs: 0 };
    const spanMs = ts[j]! - ts[k]!;
    return { rate: (this.meterV[j]! - this.meterV[k]!) / spanMs, spanMs };
  }

  /** The session's metered rate (kWh per ms) over at least `windowMs` up to `at`, else since it opened. */
  meterRateBefore(at: number, windowMs: number): number {
    const ts = this.meterT;
    const vs = this.meterV;
    let j = ts.length - 1;
    while (j > 0 && ts[j]! > at) j--;
    let k = j;
    while (k > 0 && at - ts[k]! < windowMs) k--;
    return k < j ? (vs[j]! - vs[k]!) / (ts[j]! - ts[k]!) : Number.NaN;
  }
}
