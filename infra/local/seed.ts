// Demo data for `npm start`: tenant `demo` with one EV and one charge point, under fixed ids so that a
// restart on a kept --data-dir finds them instead of adding copies.

import type { EntityRecord } from '../../shared/entities/domain.js';
import { newEntity } from '../../shared/entities/domain.js';
import { getEntity, putNewEntity } from '../../shared/storage/entities.js';

export const DEMO_TENANT = 'demo';
export const DEMO_EV_ID = '01900000-0000-7000-8000-00000000e001';
export const DEMO_CP_ID = '01900000-0000-7000-8000-00000000c001';

export async function seedDemo(now: Date): Promise<{ ev: EntityRecord; cp: EntityRecord }> {
  const ev: EntityRecord = {
    ...newEntity(
      DEMO_TENANT,
      DEMO_EV_ID,
      {
        type: 'EV',
        name: 'Demo car',
        vendor: 'Volkswagen',
        model: 'ID.3 Pro',
        timeZone: 'Europe/Amsterdam',
        capabilities: ['soc', 'range', 'location', 'odometer'],
      },
      now,
    ),
    batteryCapacityKwh: 58,
    batteryCapacityUpdated: now.toISOString(),
    features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
  };
  const cp: EntityRecord = {
    ...newEntity(
      DEMO_TENANT,
      DEMO_CP_ID,
      {
        type: 'CP',
        name: 'Demo home charger',
        vendor: 'Alfen',
        model: 'Eve Single Pro-line',
        timeZone: 'Europe/Amsterdam',
        capabilities: ['power', 'energy'],
      },
      now,
    ),
    features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
  };
  for (const entity of [ev, cp]) {
    if (!(await getEntity(entity.tenantId, entity.id))) await putNewEntity(entity);
  }
  return { ev, cp };
}
