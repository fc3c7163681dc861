// The engine's battery energy, efficiency and quality as stored and served: sessions stored before they
// existed stay readable (and are served without them); new ones round-trip and validate against the schema.

import { describe, expect, it } from 'vitest';
import { ChargeSessionResource, toChargeSessionResource } from '../../shared/sessions/model.js';
import { sessionFromItem, storable } from '../../shared/storage/sessions.js';
import { sessionAt } from '../support/sessions.js';

const CLOCK = Date.now();
const EV = { id: 'ev-1', type: 'EV' as const };

describe('session quality in storage and responses', () => {
  it('an item stored before quality existed reads as null and is served without it', () => {
    const {
      batteryEnergyKwh: _b,
      chargingEfficiency: _c,
      quality: _q,
      ...old
    } = sessionAt('t1', EV, CLOCK, 1);
    const record = sessionFromItem(old as Record<string, unknown>);
    expect(record.quality).toBeNull();
    expect(record.batteryEnergyKwh).toBeNull();
    const served = toChargeSessionResource(record);
    expect(served.data.quality).toBeUndefined();
    expect(served.data.charge.battery).toBeUndefined();
    expect(ChargeSessionResource.safeParse(served).success).toBe(true);
  });

  it('a calculated session keeps its quality, battery energy and efficiency through storage and the API', () => {
    const quality = {
      start: { rule: 'soc_cross_check' as const, uncertaintySeconds: 600 },
      end: { rule: 'midpoint' as const, uncertaintySeconds: 30 },
      gaps: { count: 1, seconds: 3000 },
      energy: 'integrated' as const,
    };
    const session = sessionAt('t1', EV, CLOCK, 2, {
      energyKwh: 20,
      batteryEnergyKwh: 18.000000001,
      chargingEfficiency: 0.9000000001,
      quality,
    });
    const stored = storable(session);
    expect(stored.batteryEnergyKwh).toBe(18);
    const served = toChargeSessionResource(sessionFromItem(stored as unknown as Record<string, unknown>));
    expect(served.data.quality).toEqual(quality);
    expect(served.data.charge.battery).toEqual({ total: 18, unit: 'kWh' });
    expect(served.data.charge.efficiency).toBe(0.9);
    expect(ChargeSessionResource.safeParse(served).success).toBe(true);
  });
});
