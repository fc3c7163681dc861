// A fixed-seed corpus of simulated entities over all profiles and several time zones, each period placed
// around a daylight-saving change so overnight sessions cross it.

import { Rng } from './prng.js';
import { PROFILES, type ProfileName, type SimulatedEntity, simulateEntity } from './simulate.js';
import { addDays } from './zones.js';

/** Zones and a local date near which their clocks change (or any date, for zones without DST). */
export const ZONES: readonly { timeZone: string; around: [number, number, number][] }[] = [
  {
    timeZone: 'Europe/Amsterdam',
    around: [
      [2025, 3, 30],
      [2025, 10, 26],
    ],
  },
  {
    timeZone: 'America/New_York',
    around: [
      [2025, 3, 9],
      [2025, 11, 2],
    ],
  },
  {
    timeZone: 'America/Los_Angeles',
    around: [
      [2025, 3, 9],
      [2025, 11, 2],
    ],
  },
  {
    timeZone: 'Australia/Sydney',
    around: [
      [2025, 4, 6],
      [2025, 10, 5],
    ],
  },
  { timeZone: 'Asia/Kolkata', around: [[2025, 6, 15]] },
  { timeZone: 'UTC', around: [[2025, 1, 15]] },
];

export interface CorpusOptions {
  seed: number;
  /** Entities per EV profile; charge-point profiles an eighth (a public DC site has ~10 sessions a day). */
  entitiesPerProfile: number;
  days: number;
  profiles?: readonly ProfileName[];
  cadenceMs?: number;
}

export function buildCorpus(options: CorpusOptions): SimulatedEntity[] {
  const rng = new Rng(options.seed);
  const entities: SimulatedEntity[] = [];
  for (const profile of options.profiles ?? PROFILES) {
    const count = profile.startsWith('cp-')
      ? Math.max(1, Math.round(options.entitiesPerProfile / 8))
      : options.entitiesPerProfile;
    for (let k = 0; k < count; k++) {
      const zone = ZONES[entities.length % ZONES.length]!;
      const around = rng.pick(zone.around);
      const startDate = addDays(around[0], around[1], around[2], -rng.int(2, 5));
      entities.push(
        simulateEntity({
          seed: Math.floor(rng.next() * 2 ** 32),
          id: `${profile}-${k}`,
          profile,
          timeZone: zone.timeZone,
          startDate,
          days: options.days,
          ...(options.cadenceMs !== undefined ? { cadenceMs: options.cadenceMs } : {}),
        }),
      );
    }
  }
  return entities;
}
