// The OCPP-J Basic-auth password hash: scrypt with its parameters and salt stored beside the key, so a
// stored hash verifies only the password it was made from, and never the same string twice.

import { describe, expect, it } from 'vitest';
import { hashOcppPassword, verifyOcppPassword } from '../../shared/ocpp/passwords.js';

describe('OCPP passwords', () => {
  it('verify the password they were made from, and nothing else', async () => {
    const stored = await hashOcppPassword('correct-horse-battery-9');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain('correct-horse');
    expect(await verifyOcppPassword(Buffer.from('correct-horse-battery-9'), stored)).toBe(true);
    expect(await verifyOcppPassword(Buffer.from('correct-horse-battery-8'), stored)).toBe(false);
    expect(await verifyOcppPassword(Buffer.from(''), stored)).toBe(false);
  });

  it('are salted: the same password hashes differently each time, and both verify', async () => {
    const [a, b] = await Promise.all([
      hashOcppPassword('same-password-twice'),
      hashOcppPassword('same-password-twice'),
    ]);
    expect(a).not.toBe(b);
    expect(await verifyOcppPassword(Buffer.from('same-password-twice'), a)).toBe(true);
    expect(await verifyOcppPassword(Buffer.from('same-password-twice'), b)).toBe(true);
  });

  it('refuse anything but a well-formed scrypt hash', async () => {
    const password = Buffer.from('correct-horse-battery-9');
    const stored = await hashOcppPassword('correct-horse-battery-9');
    for (const malformed of [
      '',
      'plain',
      stored.replace('scrypt', 'bcrypt'),
      stored.split('$').slice(0, 4).join('$'),
    ])
      expect(await verifyOcppPassword(password, malformed), malformed).toBe(false);
    // A key cut short does not verify (no timingSafeEqual on unequal lengths).
    expect(await verifyOcppPassword(password, stored.slice(0, -4))).toBe(false);
  });
});
