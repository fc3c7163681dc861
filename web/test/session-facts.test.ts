import { expect, it } from 'vitest';
import {
  batteryText,
  boundaryText,
  costLine,
  costSummary,
  energyText,
  flagReasons,
  gapsText,
} from '../src/session-facts';

const quality = (energy: 'measured' | 'integrated' | 'estimated', gaps: number) => ({
  start: { rule: 'midpoint' as const, uncertaintySeconds: 300 },
  end: { rule: 'metered' as const, uncertaintySeconds: 60 },
  gaps: { count: gaps, seconds: gaps * 3600 },
  energy,
});

it('shows cost from minor units with VAT, and each breakdown line with its unit price in major units', () => {
  const cost = {
    currency: 'EUR',
    total: 500,
    tax: 105,
    tariffId: 'home',
    tariffVersion: 2,
    breakdown: [
      {
        from: '2030-01-01T22:00:00Z',
        to: '2030-01-02T00:00:00Z',
        type: 'ENERGY' as const,
        quantity: 20,
        unit: 'kWh' as const,
        price: 0.25,
        amount: 500,
      },
    ],
  };
  expect(costSummary(cost)).toBe('€5.00 + €1.05 VAT = €6.05');
  expect(costLine(cost.breakdown[0]!, 'EUR')).toEqual({
    what: 'Energy',
    quantity: '20.0 kWh',
    price: '€0.25 / kWh',
    amount: '€5.00',
  });
});

it('says how each boundary was placed and how far off it can be, the gaps and how energy was obtained', () => {
  expect(boundaryText(quality('measured', 0).start)).toBe('± 5 min, midway between the readings either side');
  expect(gapsText({ count: 0, seconds: 0 })).toBe('none');
  expect(gapsText({ count: 2, seconds: 5400 })).toBe('2 gaps of more than 45 min, 1 h 30 min in all');
  expect(energyText('estimated')).toBe('estimated from state of charge × battery capacity');
});

it('flags estimated energy or a gap inside, saying which, and not a session without quality', () => {
  expect(flagReasons(quality('integrated', 0))).toEqual([]);
  expect(flagReasons(quality('estimated', 0))).toEqual([
    'its energy is only estimated from state of charge × battery capacity',
  ]);
  expect(flagReasons(quality('measured', 1))).toEqual([
    'a data gap lies inside it (1 gap of more than 45 min, 1 h 00 min in all)',
  ]);
  expect(flagReasons(undefined)).toEqual([]);
});

it('shows battery energy and efficiency only when the API gives them', () => {
  const charge = {
    total: { total: 44, unit: 'kWh' as const },
    averagePower: { value: 7, unit: 'kW' as const },
    peakPower: { value: 11, unit: 'kW' as const },
  };
  expect(batteryText(charge)).toBeUndefined();
  expect(batteryText({ ...charge, battery: { total: 40, unit: 'kWh' } })).toBe('40.0 kWh into the battery');
  expect(batteryText({ ...charge, battery: { total: 40, unit: 'kWh' }, efficiency: 0.9091 })).toBe(
    '40.0 kWh into the battery (91 % of the energy delivered)',
  );
});
