// A session's energy curve from its entity's readings, pure: how much energy flowed in each interval
// between consecutive readings, by the signal the engine measured the session with (meter steps,
// power, or state-of-charge rise × battery capacity). The curve's shape comes from the readings and
// its total is scaled to the session's own energy, so the priced kWh are exactly the session's kWh.

import type { Reading } from '../readings/model.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import type { CurveInterval } from './pricing.js';

function rawIntervals(
  readings: readonly Reading[],
  method: ChargeSessionRecord['method'],
  batteryCapacityKwh: number | null,
): CurveInterval[] {
  const pick = (r: Reading): number | undefined =>
    method === 'energy_meter' ? r.energyKwh : method === 'power_flow' ? r.powerKw : r.soc;
  const points = readings.filter((r) => pick(r) !== undefined && Number.isFinite(pick(r)));
  const out: CurveInterval[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (b.t <= a.t) continue;
    let energy: number;
    if (method === 'power_flow') {
      // Trapezoid between two power samples; negative power (discharge) is not charging.
      energy = ((Math.max(0, a.powerKw!) + Math.max(0, b.powerKw!)) / 2) * ((b.t - a.t) / 3_600_000);
    } else if (method === 'energy_meter') {
      // A register that went down was reset or rolled over: that step is unknown, not negative.
      energy = Math.max(0, b.energyKwh! - a.energyKwh!);
    } else {
      energy = batteryCapacityKwh ? (Math.max(0, b.soc! - a.soc!) / 100) * batteryCapacityKwh : 0;
    }
    out.push({ from: a.t, to: b.t, energyKwh: energy });
  }
  return out;
}

/**
 * The curve over [session.start, session.end] scaled to `session.energyKwh`. When the readings show no
 * energy at all (too sparse inside the session), the energy is spread evenly over the session: the only
 * honest shape left, and it still prices every kWh.
 */
export function sessionCurve(
  session: Pick<ChargeSessionRecord, 'start' | 'end' | 'energyKwh' | 'method'>,
  readings: readonly Reading[],
  batteryCapacityKwh: number | null,
): CurveInterval[] {
  const start = Date.parse(session.start);
  const end = Date.parse(session.end);
  const inside = readings.filter((r) => r.t >= start && r.t <= end).sort((a, b) => a.t - b.t);
  const raw = rawIntervals(inside, session.method, batteryCapacityKwh);
  const total = raw.reduce((sum, i) => sum + i.energyKwh, 0);
  if (!(total > 0)) return end > start ? [{ from: start, to: end, energyKwh: session.energyKwh }] : [];
  const scale = session.energyKwh / total;
  return raw.map((i) => ({ ...i, energyKwh: i.energyKwh * scale }));
}
