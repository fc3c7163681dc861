// What a stored session says about itself in the vocabularies the formats share: how it ended, how it was
// paid, which connector it used, how long it lasted. Each answer is null when the session does not know.

import type { ChargeSessionRecord } from '../sessions/model.js';

/**
 * OCPP 2.0.1 ReasonEnumType values (TransactionEventRequest `stoppedReason`) that mean the session did not
 * end as expected. The rest (EVDisconnected, Local, Remote, StoppedByEV, SOCLimitReached, EnergyLimitReached,
 * TimeLimitReached, LocalOutOfCredit, MasterPass) are ordinary ends; `Other` says nothing either way.
 */
export const FAULT_STOP_REASONS: ReadonlySet<string> = new Set([
  'DeAuthorized',
  'EmergencyStop',
  'GroundFault',
  'ImmediateReset',
  'OvercurrentFault',
  'PowerLoss',
  'PowerQuality',
  'Reboot',
  'Timeout',
]);

/**
 * Public-charging final statuses that mean the charging itself failed. Payment troubles after a good
 * charge (capture_failed, refunded, written_off, requires_review) do not make the session unsuccessful.
 */
export const FAILED_FINAL_STATUSES: ReadonlySet<string> = new Set(['failed', 'no_charge']);

export interface SessionOutcome {
  /** Null when nothing reports how the session ended (every calculated session). */
  successful: boolean | null;
  /** Error codes in the charger's own words: the OCPP fault reason, then the public-charging failure reason. */
  errorCodes: string[];
  /** The OCPP stoppedReason as reported, fault or not. */
  endedBy: string | null;
}

export function sessionOutcome(session: ChargeSessionRecord): SessionOutcome {
  const measured = session.measured;
  if (!measured) return { successful: null, errorCodes: [], endedBy: null };
  const errorCodes: string[] = [];
  if (measured.stoppedReason !== null && FAULT_STOP_REASONS.has(measured.stoppedReason)) {
    errorCodes.push(measured.stoppedReason);
  }
  if (measured.failureReason !== null && measured.failureReason.trim() !== '') {
    errorCodes.push(measured.failureReason);
  }
  const failedStatus = measured.finalStatus !== null && FAILED_FINAL_STATUSES.has(measured.finalStatus);
  return {
    successful: successfulEnd(measured, errorCodes.length > 0 || failedStatus),
    errorCodes,
    endedBy: measured.stoppedReason,
  };
}

function successfulEnd(
  measured: NonNullable<ChargeSessionRecord['measured']>,
  failed: boolean,
): boolean | null {
  if (failed) return false;
  // `Other` or no report at all: the charger did not say whether the end was expected.
  if (measured.stoppedReason === 'Other') return null;
  return measured.stoppedReason !== null || measured.finalStatus !== null ? true : null;
}

/**
 * The payment vocabulary of the EV Charging Use Data Specification (`validPaymentType` in common.json of
 * clean-energy-tools/ev-charging-use-specification-code; "Payment Method" in Atlas's
 * field-type-and-valid-entry-reference.md). We use it for EV-ChART's payment_method too (see evchart.ts).
 */
export const PAYMENT_TYPES = [
  'cash',
  'credit_card_terminal',
  'membership',
  'application',
  'phone',
  'plug-charge',
  'roaming',
  'other',
] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** Spellings chargers and payment providers use, normalised (lower case, `_` for spaces and dashes). */
const PAYMENT_ALIASES: Readonly<Record<string, PaymentType>> = {
  cash: 'cash',
  coins: 'cash',
  credit_card_terminal: 'credit_card_terminal',
  card_terminal: 'credit_card_terminal',
  payment_terminal: 'credit_card_terminal',
  terminal: 'credit_card_terminal',
  contactless: 'credit_card_terminal',
  membership: 'membership',
  subscription: 'membership',
  rfid: 'membership',
  application: 'application',
  app: 'application',
  mobile_app: 'application',
  app_qr: 'application',
  qr: 'application',
  web: 'application',
  phone: 'phone',
  sms: 'phone',
  plug_charge: 'plug-charge',
  plug_and_charge: 'plug-charge',
  plugandcharge: 'plug-charge',
  autocharge: 'plug-charge',
  roaming: 'roaming',
  other: 'other',
};

export interface SessionPayment {
  /** The normalised type; `other` when the charger named a type outside the vocabulary. */
  type: PaymentType;
  /** The charger's own word, kept for the `other` case. */
  raw: string;
}

export function normalisedToken(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export function sessionPayment(session: ChargeSessionRecord): SessionPayment | null {
  const raw = session.measured?.paymentType;
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  return { type: PAYMENT_ALIASES[normalisedToken(raw)] ?? 'other', raw: raw.trim() };
}

/** Seconds between two ISO instants, or null when either is unknown. */
export function secondsBetween(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  return (Date.parse(end) - Date.parse(start)) / 1000;
}

/**
 * An ISO 8601 duration in hours, minutes and whole seconds (`PT1H5M30S`, `PT0S`); days are not used, so
 * the value never depends on a calendar. Sub-second remainders are rounded to the nearest second.
 */
export function isoDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) {
    throw new RangeError(`A duration must be a finite, non-negative number of seconds, not ${totalSeconds}.`);
  }
  const whole = Math.round(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  if (whole === 0) return 'PT0S';
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
}

/** Rounds to at most `places` decimals and drops the binary noise (`0.30000000000000004` → `0.3`). */
export function roundTo(value: number, places: number): number {
  return Number(value.toFixed(places));
}

/**
 * A plain decimal string with at most `places` decimals and no exponent notation (what CSV readers and
 * spreadsheets parse without surprises): `12.5`, `0`, `1234.5678`.
 */
export function decimalText(value: number, places: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Cannot write ${value} as a decimal.`);
  const fixed = value.toFixed(places);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}
