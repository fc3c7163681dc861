// The guard against tests that pass only on today's date. With EVS_TEST_CLOCK_SHIFT_DAYS set, `Date.now()`
// and `new Date()` read the real clock moved by that many days; explicit dates (`new Date(ms)`,
// `Date.UTC`, `Date.parse`) are untouched. vitest.config.ts loads it as a setup file and runs one
// integration project shifted, so a test that hard-codes a date near today — and breaks once that date
// leaves the 35-day readings retention, as one did on 2026-11-29 — fails the day it is written. Plain
// JavaScript, so vitest and `node --import` alike can load it without a TypeScript loader.

const raw = process.env.EVS_TEST_CLOCK_SHIFT_DAYS ?? '0';
const days = Number(raw);
if (!Number.isInteger(days)) {
  throw new Error(`EVS_TEST_CLOCK_SHIFT_DAYS must be a whole number of days, not '${raw}'`);
}

const RealDate = globalThis.Date;
if (days !== 0 && !('shiftedByDays' in RealDate)) {
  const shiftMs = days * 86_400_000;
  // A subclass keeps every prototype method, `instanceof Date` and the static helpers; only "now" moves.
  class ShiftedDate extends RealDate {
    static shiftedByDays = days;
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shiftMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shiftMs;
    }
  }
  globalThis.Date = ShiftedDate;
}
