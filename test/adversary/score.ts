// Prints both generators' scores per reporting mode, for the issue note:
//   npx tsx test/adversary/score.ts [--seed N] [--cars K] [--days D]
// (--cars: adversary cars per mode, and first-simulator entities per profile.)

import { parseArgs } from 'node:util';
import { evaluateAdversary, evaluateSimulator, table } from './evaluate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20251025' },
    cars: { type: 'string', default: '8' },
    days: { type: 'string', default: '10' },
  },
});
const seed = Number(values.seed);
const cars = Number(values.cars);
const days = Number(values.days);
if (![seed, cars, days].every(Number.isInteger)) throw new Error('--seed, --cars and --days take integers');

console.log(`seed ${seed}, ${cars} cars per mode/profile, ${days} days\n`);
console.log(table('adversary mode', evaluateAdversary(seed, cars, days)));
console.log();
console.log(table('first simulator profile', evaluateSimulator(seed, cars, days)));
