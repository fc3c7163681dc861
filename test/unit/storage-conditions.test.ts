// The one answer of every conditional write (shared/storage/conditions.ts): applied, or its condition did
// not hold — and any other failure is not mistaken for the latter.

import { describe, expect, it } from 'vitest';
import { conditionalWrite } from '../../shared/storage/conditions.js';

const failure = (name: string) => Object.assign(new Error(name), { name });

describe('conditionalWrite', () => {
  it('is true when the write applied and false when its condition did not hold', async () => {
    expect(await conditionalWrite(Promise.resolve({}))).toBe(true);
    expect(await conditionalWrite(Promise.reject(failure('ConditionalCheckFailedException')))).toBe(false);
  });

  it('passes any other failure on', async () => {
    const throttled = failure('ProvisionedThroughputExceededException');
    await expect(conditionalWrite(Promise.reject(throttled))).rejects.toBe(throttled);
  });
});
