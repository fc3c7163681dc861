// State of charge in whole percent: what its 1 % steps say beyond their resolution. A reported level
// changes when the true SoC crosses a step, so the times of the steps pin the true SoC there, and their
// rate carries it to a session's boundary. Pure functions over a session's recorded steps.

import { SOC_RATE_STEPS } from './constants.js';

/** A session's SoC steps: the reading before each step, the reading that showed it, the new level, its spell (-1 outside spells). */
export interface SocSteps {
  from: ArrayLike<number>;
  at: ArrayLike<number>;
  level: ArrayLike<number>;
  spell: ArrayLike<number>;
  n: number;
}

/** What the refinement needs of a session. */
export interface SocSession {
  socOpen: number;
  socClose: number;
  start: number;
  end: number;
  /** First and last readings that showed charging. */
  firstOnT: number;
  lastOnT: number;
  spells: number;
}

/**
 * ΔSoC in percent, beating the 1 % quantisation where the data allows. A reported level changes when the
 * true SoC crosses a step, so the time of the first step after the start (and of the last before the
 * end) pins the true SoC there; the charge rate from the next few steps carries it to the boundary.
 * Where that is not possible an edge uses the middle of its 1 % bucket. Both estimates share the
 * unknown rounding offset of the vehicle, so it cancels in the difference.
 */
export function refinedSocDelta(steps: SocSteps, cur: SocSession): number {
  const n = steps.n;
  const socOpen = cur.socOpen;
  const socClose = cur.socClose;
  let low = socOpen + 0.5;
  let high = socClose + 0.5;
  const { from, at, level, spell } = steps;
  const when = (k: number) => (from[k]! + at[k]!) / 2;
  // Start edge: a single step in the first spell, seen only after charging was (so it is not the start's
  // own interval), and the rate from the next few steps.
  let a = 0;
  while (a < n && spell[a]! < 0) a++;
  if (a < n && spell[a] === 0 && level[a] === socOpen + 1 && from[a]! >= cur.firstOnT) {
    let b = a;
    while (b + 1 < n && b - a + 1 < SOC_RATE_STEPS && spell[b + 1] === 0) b++;
    if (b > a) {
      const rate = (level[b]! - level[a]!) / (when(b) - when(a));
      if (rate > 0) low = clamp(level[a]! - rate * (when(a) - cur.start), socOpen, socOpen + 1);
    }
  }
  // End edge: the last step in the last spell, a single step to the final level, seen while still charging.
  const lastSpell = cur.spells - 1;
  let z = n - 1;
  while (z >= 0 && spell[z]! < 0) z--;
  if (
    z > 0 &&
    spell[z] === lastSpell &&
    level[z] === socClose &&
    level[z]! - level[z - 1]! === 1 &&
    at[z]! <= cur.lastOnT
  ) {
    let y = z;
    while (y - 1 >= 0 && z - y + 1 < SOC_RATE_STEPS && spell[y - 1] === lastSpell) y--;
    if (y < z) {
      const rate = (level[z]! - level[y]!) / (when(z) - when(y));
      if (rate > 0) high = clamp(level[z]! + rate * (cur.end - when(z)), socClose, socClose + 1);
    }
  }
  return high - low;
}

/**
 * When a SoC-only spell began: its first 1 % step, less half a step at the rate of its next few steps
 * (the true SoC sat anywhere in its 1 % bucket when charging began). NaN with fewer than two steps.
 */
export function socOnset(steps: SocSteps, which: number): number {
  const { from, at, level, spell, n } = steps;
  let a = 0;
  while (a < n && spell[a] !== which) a++;
  let b = a;
  while (b + 1 < n && b - a + 1 < SOC_RATE_STEPS && spell[b + 1] === which) b++;
  if (!(b > a)) return Number.NaN;
  const when = (k: number) => (from[k]! + at[k]!) / 2;
  const rate = (level[b]! - level[a]!) / (when(b) - when(a));
  return rate > 0 ? when(a) - 0.5 / rate : Number.NaN;
}

/**
 * When a SoC-only spell ended: its last 1 % step, plus half a step at the rate of its last few steps
 * (the true SoC sat anywhere in its new bucket when charging stopped). NaN with fewer than two steps.
 */
export function socCessation(steps: SocSteps, which: number): number {
  const { from, at, level, spell, n } = steps;
  let z = n - 1;
  while (z >= 0 && spell[z] !== which) z--;
  let y = z;
  while (y - 1 >= 0 && z - y + 1 < SOC_RATE_STEPS && spell[y - 1] === which) y--;
  if (!(y >= 0 && y < z)) return Number.NaN;
  const when = (k: number) => (from[k]! + at[k]!) / 2;
  const rate = (level[z]! - level[y]!) / (when(z) - when(y));
  return rate > 0 ? when(z) + 0.5 / rate : Number.NaN;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
