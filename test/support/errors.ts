// The error a synchronous call throws, for tests of the one error hierarchy (shared/errors.ts).

import { ApiError } from '../../shared/errors.js';

/** The ApiError `fn` throws; anything else it throws is passed on, and throwing nothing fails the test. */
export function thrownApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}
