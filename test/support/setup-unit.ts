// Registered for the unit project: aws-sdk-client-mock's matchers (toHaveReceivedCommandWith, …).
import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);

declare module 'vitest' {
  interface Matchers<T = any> extends CustomMatcher<T> {}
}
