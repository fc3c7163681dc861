// IANA time-zone names, checked against the runtime's own tz database.

/** Region names and UTC: Intl also accepts offsets like "+01:00", which the API does not. */
export const IANA_TIME_ZONE_SHAPE = /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/;

const known = new Map<string, boolean>();

export function isIanaTimeZone(name: string): boolean {
  let valid = known.get(name);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      valid = IANA_TIME_ZONE_SHAPE.test(name);
    } catch {
      valid = false;
    }
    known.set(name, valid);
  }
  return valid;
}
