// IANA time-zone names, checked against the runtime's own tz database.

const known = new Map<string, boolean>();

export function isIanaTimeZone(name: string): boolean {
  let valid = known.get(name);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      // Intl also accepts offsets like "+01:00"; the API wants region names or UTC.
      valid = /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(name);
    } catch {
      valid = false;
    }
    known.set(name, valid);
  }
  return valid;
}
