// Prints both generators' scores per reporting mode, for the issue note:
//   npx tsx test/adversary/score.ts [--seed N] [--simulator-seed M] [--cars K] [--days D]
// (--cars: adversary cars per mode, and first-simulator entities per profile.) The defaults are the
// accuracy test's (test/unit/engine-accuracy-targets.test.ts), so the tables match what it asserts.

import { parseArgs } from 'node:util';
import { evaluateAdversary, evaluateSimulator, table } from './evaluate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20251025' },
    'simulator-seed': { type: 'string', default: '20250101' },
    cars: { type: 'string', default: '8' },
    days: { type: 'string', default: '10' },
  },
});
const seed = Number(values.seed);
const simulatorSeed = Number(values['simulator-seed']);
const cars = Number(values.cars);
const days = Number(values.days);
if (![seed, simulatorSeed, cars, days].every(Number.isInteger))
  throw new Error('--seed, --simulator-seed, --cars and --days take integers');

console.log(
  `adversary seed ${seed}, simulator seed ${simulatorSeed}, ${cars} per mode/profile, ${days} days\n`,
);
console.log(table('adversary mode', evaluateAdversary(seed, cars, days)));
console.log();
console.log(table('first simulator profile', evaluateSimulator(simulatorSeed, cars, days)));
