// Charging physics for the simulator: what a battery accepts at a state of charge (constant current, then
// constant-voltage taper), integrated in fixed steps so the delivered energy is known exactly.

/** Integration step: fine enough that a reading between steps sees the true power within 10 s. */
export const STEP_MS = 10_000;
const STEP_H = STEP_MS / 3_600_000;

export interface Battery {
  capacityKwh: number;
  /** On-board charger limit for AC. */
  acMaxKw: number;
  /** Peak DC acceptance. */
  dcMaxKw: number;
}

/** What the battery accepts (kW) at `soc` %. DC peaks to 50 %, eases to 80 %, then tapers hard. */
export function acceptanceKw(battery: Battery, soc: number, dc: boolean): number {
  if (dc) {
    const peak = battery.dcMaxKw;
    if (soc < 50) return peak;
    if (soc < 80) return peak * (1 - (0.35 * (soc - 50)) / 30);
    return peak * (0.65 - (0.53 * Math.min(soc - 80, 20)) / 20);
  }
  const max = battery.acMaxKw;
  if (soc < 92) return max;
  return max * (1 - (0.8 * Math.min(soc - 92, 8)) / 8);
}

/** A charge as delivered: power per step from `t0`; energy is exactly Σ power × step. */
export interface ChargeTrace {
  t0: number;
  powerKw: Float64Array;
  /** Cumulative energy at each step boundary (length = steps + 1). */
  cumKwh: Float64Array;
  /** The last step may be cut short (the target is reached part-way through it). */
  endMs: number;
}

export interface ChargeResult {
  trace: ChargeTrace;
  socEnd: number;
  /** First and last instant energy flowed; energy and time it flowed. */
  startMs: number;
  endMs: number;
  energyKwh: number;
  chargingMs: number;
}

/**
 * Charge from `t0` until `target` % or `deadline`, at min(supply(t), acceptance(soc)). A supply of 0 is
 * a pause (clouds, load balancing). Null when no energy flowed at all.
 */
export function simulateCharge(options: {
  t0: number;
  deadline: number;
  socStart: number;
  target: number;
  battery: Battery;
  dc: boolean;
  supplyKw: (t: number) => number;
}): ChargeResult | null {
  const { t0, deadline, battery, dc, supplyKw, target } = options;
  const steps: number[] = [];
  let soc = options.socStart;
  let t = t0;
  let lastFraction = 1;
  while (t + STEP_MS <= deadline && soc < target) {
    let p = Math.min(supplyKw(t), acceptanceKw(battery, soc, dc));
    if (p < 0) p = 0;
    const gain = ((p * STEP_H) / battery.capacityKwh) * 100;
    if (gain > 0 && soc + gain > target) {
      // The charger stops at the target, part-way through this step, at full power.
      lastFraction = (target - soc) / gain;
      soc = target;
      steps.push(p);
      break;
    }
    soc += gain;
    steps.push(p);
    t += STEP_MS;
  }
  let last = steps.length - 1;
  if (!(steps[last]! > 0)) lastFraction = 1;
  while (last >= 0 && !(steps[last]! > 0)) last--;
  let first = 0;
  while (first <= last && !(steps[first]! > 0)) first++;
  if (last < 0) return null;
  const n = last + 1;
  const powerKw = new Float64Array(n);
  const cumKwh = new Float64Array(n + 1);
  let flowingMs = 0;
  for (let k = 0; k < n; k++) {
    const fraction = k === n - 1 ? lastFraction : 1;
    powerKw[k] = steps[k]!;
    cumKwh[k + 1] = cumKwh[k]! + steps[k]! * STEP_H * fraction;
    if (steps[k]! > 0) flowingMs += STEP_MS * fraction;
  }
  const endMs = Math.round(t0 + (n - 1 + lastFraction) * STEP_MS);
  return {
    trace: { t0, powerKw, cumKwh, endMs },
    socEnd: options.socStart + (cumKwh[n]! / battery.capacityKwh) * 100,
    startMs: t0 + first * STEP_MS,
    endMs,
    energyKwh: cumKwh[n]!,
    chargingMs: flowingMs,
  };
}

/** Energy delivered by `t` (≥ trace start) and the power at `t`. */
export function traceAt(trace: ChargeTrace, t: number): { energyKwh: number; powerKw: number } {
  const n = trace.powerKw.length;
  const x = (t - trace.t0) / STEP_MS;
  if (t >= trace.endMs) return { energyKwh: trace.cumKwh[n]!, powerKw: 0 };
  const k = Math.max(0, Math.floor(x));
  const p = trace.powerKw[k]!;
  return { energyKwh: trace.cumKwh[k]! + p * (x - k) * STEP_H, powerKw: p };
}
