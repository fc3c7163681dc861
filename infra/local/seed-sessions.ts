// Demo charge sessions for `npm start`, written through the session store, in January 2026 under fixed
// keys so a restart on a kept --data-dir rewrites the same items. They stand in for what the daily job
// computes from readings, so the listings and exports have something to show locally; the tests never
// use them.

import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { upsertSession } from '../../shared/storage/sessions.js';
import { DEMO_CP_ID, DEMO_EV_ID, DEMO_TENANT } from './seed.js';

const HOUR = 3_600_000;
const at = (iso: string, plusHours = 0) => new Date(Date.parse(iso) + plusHours * HOUR).toISOString();

function demoCarSession(
  n: number,
  start: string,
  hours: number,
  soc: [number, number],
  place: string,
): ChargeSessionRecord {
  const energyKwh = ((soc[1] - soc[0]) / 100) * 58;
  return {
    tenantId: DEMO_TENANT,
    entityId: DEMO_EV_ID,
    entityType: 'EV',
    id: `01900000-0000-7000-8000-0000000de${String(n).padStart(3, '0')}`,
    start,
    end: at(start, hours),
    energyKwh,
    averagePowerKw: energyKwh / hours,
    peakPowerKw: Math.min(11, (energyKwh / hours) * 1.15),
    chargingSeconds: hours * 3_600,
    socStartPercent: soc[0],
    socEndPercent: soc[1],
    rangeStartKm: soc[0] * 4.2,
    rangeEndKm: soc[1] * 4.2,
    locationMatches: [{ accuracy: 0.95, location: { id: place.toLowerCase(), label: place } }],
    position: null,
    method: 'state_of_charge',
    source: 'calculated',
    created: at(start, 24),
    measured: null,
  };
}

function demoChargerSession(n: number, start: string, hours: number, energyKwh: number): ChargeSessionRecord {
  return {
    tenantId: DEMO_TENANT,
    entityId: DEMO_CP_ID,
    entityType: 'CP',
    id: `01900000-0000-7000-8000-0000000dc${String(n).padStart(3, '0')}`,
    start,
    end: at(start, hours),
    energyKwh,
    averagePowerKw: energyKwh / hours,
    peakPowerKw: 11,
    chargingSeconds: hours * 3_600,
    socStartPercent: null,
    socEndPercent: null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    position: null,
    method: 'energy_meter',
    source: 'measured',
    created: at(start, hours),
    measured: {
      chargerCode: 'DEMO01',
      connectorId: 1,
      connectorType: 'sType2',
      stoppedReason: 'EVDisconnected',
      plugStart: at(start, -0.1),
      plugEnd: at(start, hours + 0.5),
      currency: 'EUR',
      costAmount: Math.round(energyKwh * 35),
      taxAmount: Math.round(energyKwh * 35 * 0.21),
      pricePerKwh: 35,
      startFee: 0,
      paymentType: 'rfid',
      finalStatus: 'captured',
      failureReason: null,
    },
  };
}

export const DEMO_SESSIONS: readonly ChargeSessionRecord[] = [
  demoCarSession(1, '2026-01-05T18:40:00.000Z', 5, [22, 80], 'Home'),
  demoCarSession(2, '2026-01-09T08:15:00.000Z', 2.5, [41, 67], 'Work'),
  demoCarSession(3, '2026-01-14T19:05:00.000Z', 6, [18, 90], 'Home'),
  demoCarSession(4, '2026-01-21T12:30:00.000Z', 0.75, [35, 78], 'Motorway fast charger'),
  demoCarSession(5, '2026-01-27T20:10:00.000Z', 4, [30, 80], 'Home'),
  demoChargerSession(1, '2026-01-06T17:55:00.000Z', 3.5, 31.4),
  demoChargerSession(2, '2026-01-16T07:20:00.000Z', 1.5, 12.9),
  demoChargerSession(3, '2026-01-29T18:30:00.000Z', 4.25, 38.2),
];

export async function seedDemoSessions(): Promise<void> {
  for (const session of DEMO_SESSIONS) await upsertSession(session);
}
