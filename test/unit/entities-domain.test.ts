// Entities' battery capacity as pure rules: given at creation (EVs only), and one shape in every answer.

import { describe, expect, it } from 'vitest';
import { newEntity, toBatteryCapacityResource, toEntityResource } from '../../shared/entities/domain.js';
import { CreateEntityBody, PutBatteryCapacityBody } from '../../shared/entities/schemas.js';
import { ValidationError } from '../../shared/errors.js';
import { parseOrThrow } from '../../shared/http/validation.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const ID = '01900000-0000-7000-8000-000000000001';
const create = (body: unknown) => newEntity('acme', ID, parseOrThrow(CreateEntityBody, body, 'body'), NOW);

describe('battery capacity', () => {
  it('is taken at creation and shown alike in the entity and in its own resource', () => {
    const entity = create({ type: 'EV', name: 'Car', batteryCapacity: { value: 77.4, unit: 'kWh' } });
    expect(entity).toMatchObject({ batteryCapacityKwh: 77.4, batteryCapacityUpdated: NOW.toISOString() });
    expect(toEntityResource(entity).batteryCapacity).toEqual({ value: 77.4, unit: 'kWh' });
    expect(toBatteryCapacityResource(entity)).toEqual({
      entityId: ID,
      batteryCapacity: { value: 77.4, unit: 'kWh' },
      updated: NOW.toISOString(),
    });
    expect(create({ type: 'EV', name: 'Car' })).toMatchObject({ batteryCapacityKwh: null });
  });

  it('reads the quantity and, for existing clients, a bare number of kWh', () => {
    expect(
      parseOrThrow(PutBatteryCapacityBody, { batteryCapacity: { value: 60, unit: 'kWh' } }, 'body'),
    ).toEqual({
      batteryCapacity: 60,
    });
    expect(parseOrThrow(PutBatteryCapacityBody, { batteryCapacity: 60 }, 'body')).toEqual({
      batteryCapacity: 60,
    });
  });

  it('refuses one given when creating a charge point, naming the body field', () => {
    try {
      create({ type: 'CP', name: 'Pole', batteryCapacity: { value: 60, unit: 'kWh' } });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('battery_capacity_ev_only');
      expect((error as ValidationError).errors).toEqual([
        expect.objectContaining({ in: 'body', field: 'batteryCapacity', code: 'battery_capacity_ev_only' }),
      ]);
      return;
    }
    throw new Error('expected battery_capacity_ev_only');
  });
});
