// OCPP 2.0.1 messages that public charging ingests (TransactionEventRequest, StatusNotificationRequest),
// written in zod so they accept exactly what the published JSON Schemas (draft-06) accept, and the meter
// arithmetic that turns a TransactionEvent's sampled values into energy, power and state of charge.
//
// Exactness notes, each mirrored from how ajv + ajv-formats judge the upstream schema:
// - `maxLength` counts Unicode code points, not UTF-16 units (so zod's `maxLength` is not used);
// - `integer` is any integral JSON number, including those beyond 2^53 (zod's `z.int()` is not);
// - `date-time` is RFC 3339 as ajv-formats' full mode reads it: a `T`, `t` or whitespace separator, a
//   required `Z`/`z` or ±hh[[:]mm] offset, real calendar dates, and a leap second only at 23:59:60 UTC;
// - CustomDataType is open (extra members allowed), every other object is closed.

import * as z from 'zod/mini';
import { roundTo } from '../numbers.js';

// ---------------------------------------------------------------------------------------------------
// Primitive rules shared by the schemas

function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

const ocppString = (max: number) =>
  z.string().check(
    z.refine((value: string) => codePointLength(value) <= max, { message: `At most ${max} characters.` }),
    z.meta({ maxLength: max }),
  );

const ocppInteger = () =>
  z
    .number()
    .check(z.refine(Number.isInteger, { message: 'Must be an integer.' }), z.meta({ type: 'integer' }));

const DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
const TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;
const DATE_TIME_SEPARATOR = /t|\s/i;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function isFullDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const lastDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month] ?? 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= lastDay;
}

function isFullTime(value: string): boolean {
  const match = TIME.exec(value);
  if (!match) return false;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = Number(match[3]);
  const sign = match[5] === '-' ? -1 : 1;
  const offsetHours = Number(match[6] ?? 0);
  const offsetMinutes = Number(match[7] ?? 0);
  if (!match[4] || offsetHours > 23 || offsetMinutes > 59) return false;
  if (hour <= 23 && minute <= 59 && second < 60) return true;
  // A leap second is only valid at 23:59:60 UTC.
  const utcMinute = minute - offsetMinutes * sign;
  const utcHour = hour - offsetHours * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
}

/** RFC 3339 date-time exactly as JSON Schema's `format: date-time` is checked upstream (see top). */
export function isOcppDateTime(value: string): boolean {
  const parts = value.split(DATE_TIME_SEPARATOR);
  return parts.length === 2 && isFullDate(parts[0] ?? '') && isFullTime(parts[1] ?? '');
}

/**
 * Epoch milliseconds of a date-time that passed isOcppDateTime. Offsets are applied; a leap second
 * counts as the last millisecond of its minute; fractions beyond milliseconds are truncated.
 */
export function ocppDateTimeToEpochMs(value: string): number {
  const [datePart = '', timePart = ''] = value.split(DATE_TIME_SEPARATOR);
  const date = DATE.exec(datePart);
  const time = TIME.exec(timePart);
  if (!date || !time?.[4]) throw new Error(`not an OCPP date-time: ${value}`);
  const [whole = '0', fraction = ''] = (time[3] ?? '0').split('.');
  const seconds = Number(whole);
  const millis = seconds >= 60 ? 999 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const sign = time[5] === '-' ? -1 : 1;
  const offsetMinutes = sign * (Number(time[6] ?? 0) * 60 + Number(time[7] ?? 0));
  const local = Date.UTC(
    Number(date[1]),
    Number(date[2]) - 1,
    Number(date[3]),
    Number(time[1]),
    Number(time[2]),
    Math.min(seconds, 59),
    millis,
  );
  return local - offsetMinutes * 60_000;
}

/** The same instant as ISO 8601 UTC with milliseconds, the form every record stores. */
export function normalizeOcppDateTime(value: string): string {
  return new Date(ocppDateTimeToEpochMs(value)).toISOString();
}

const ocppDateTime = () =>
  z
    .string()
    .check(
      z.refine(isOcppDateTime, { message: 'Must be an RFC 3339 date-time.' }),
      z.meta({ format: 'date-time' }),
    );

// ---------------------------------------------------------------------------------------------------
// Enumerations

export const CHARGING_STATES = ['Charging', 'EVConnected', 'SuspendedEV', 'SuspendedEVSE', 'Idle'] as const;
export const ID_TOKEN_TYPES = [
  'Central',
  'eMAID',
  'ISO14443',
  'ISO15693',
  'KeyCode',
  'Local',
  'MacAddress',
  'NoAuthorization',
] as const;
export const LOCATIONS = ['Body', 'Cable', 'EV', 'Inlet', 'Outlet'] as const;
export const MEASURANDS = [
  'Current.Export',
  'Current.Import',
  'Current.Offered',
  'Energy.Active.Export.Register',
  'Energy.Active.Import.Register',
  'Energy.Reactive.Export.Register',
  'Energy.Reactive.Import.Register',
  'Energy.Active.Export.Interval',
  'Energy.Active.Import.Interval',
  'Energy.Active.Net',
  'Energy.Reactive.Export.Interval',
  'Energy.Reactive.Import.Interval',
  'Energy.Reactive.Net',
  'Energy.Apparent.Net',
  'Energy.Apparent.Import',
  'Energy.Apparent.Export',
  'Frequency',
  'Power.Active.Export',
  'Power.Active.Import',
  'Power.Factor',
  'Power.Offered',
  'Power.Reactive.Export',
  'Power.Reactive.Import',
  'SoC',
  'Voltage',
] as const;
export const PHASES = ['L1', 'L2', 'L3', 'N', 'L1-N', 'L2-N', 'L3-N', 'L1-L2', 'L2-L3', 'L3-L1'] as const;
export const READING_CONTEXTS = [
  'Interruption.Begin',
  'Interruption.End',
  'Other',
  'Sample.Clock',
  'Sample.Periodic',
  'Transaction.Begin',
  'Transaction.End',
  'Trigger',
] as const;
export const STOPPED_REASONS = [
  'DeAuthorized',
  'EmergencyStop',
  'EnergyLimitReached',
  'EVDisconnected',
  'GroundFault',
  'ImmediateReset',
  'Local',
  'LocalOutOfCredit',
  'MasterPass',
  'Other',
  'OvercurrentFault',
  'PowerLoss',
  'PowerQuality',
  'Reboot',
  'Remote',
  'SOCLimitReached',
  'StoppedByEV',
  'TimeLimitReached',
  'Timeout',
] as const;
export const TRANSACTION_EVENT_TYPES = ['Ended', 'Started', 'Updated'] as const;
export const TRIGGER_REASONS = [
  'Authorized',
  'CablePluggedIn',
  'ChargingRateChanged',
  'ChargingStateChanged',
  'Deauthorized',
  'EnergyLimitReached',
  'EVCommunicationLost',
  'EVConnectTimeout',
  'MeterValueClock',
  'MeterValuePeriodic',
  'TimeLimitReached',
  'Trigger',
  'UnlockCommand',
  'StopAuthorized',
  'EVDeparted',
  'EVDetected',
  'RemoteStop',
  'RemoteStart',
  'AbnormalCondition',
  'SignedDataReceived',
  'ResetCommand',
] as const;
/** OCPP 2.0.1 connector status (StatusNotification); Plugchoice's richer 1.6-style status is derived. */
export const OCPP_CONNECTOR_STATUSES = [
  'Available',
  'Occupied',
  'Reserved',
  'Unavailable',
  'Faulted',
] as const;

export type ChargingState = (typeof CHARGING_STATES)[number];
export type Measurand = (typeof MEASURANDS)[number];
export type Phase = (typeof PHASES)[number];
export type ReadingContext = (typeof READING_CONTEXTS)[number];
export type StoppedReason = (typeof STOPPED_REASONS)[number];
export type TransactionEventType = (typeof TRANSACTION_EVENT_TYPES)[number];
export type TriggerReason = (typeof TRIGGER_REASONS)[number];
export type OcppConnectorStatus = (typeof OCPP_CONNECTOR_STATUSES)[number];

// ---------------------------------------------------------------------------------------------------
// Message schemas

/** Vendor extension point: the one open object in OCPP 2.0.1. */
export const OcppCustomData = z
  .looseObject({ vendorId: ocppString(255) })
  .check(z.meta({ id: 'OcppCustomData' }));

const customData = z.optional(OcppCustomData);

export const OcppUnitOfMeasure = z.strictObject({
  customData,
  unit: z.optional(ocppString(20)),
  multiplier: z.optional(ocppInteger()),
});

export const OcppSignedMeterValue = z.strictObject({
  customData,
  signedMeterData: ocppString(2500),
  signingMethod: ocppString(50),
  encodingMethod: ocppString(50),
  publicKey: ocppString(2500),
});

export const OcppSampledValue = z.strictObject({
  customData,
  value: z.number(),
  context: z.optional(z.enum(READING_CONTEXTS)),
  measurand: z.optional(z.enum(MEASURANDS)),
  phase: z.optional(z.enum(PHASES)),
  location: z.optional(z.enum(LOCATIONS)),
  signedMeterValue: z.optional(OcppSignedMeterValue),
  unitOfMeasure: z.optional(OcppUnitOfMeasure),
});

export const OcppMeterValue = z.strictObject({
  customData,
  sampledValue: z.array(OcppSampledValue).check(z.minLength(1)),
  timestamp: ocppDateTime(),
});

export const OcppTransaction = z.strictObject({
  customData,
  transactionId: ocppString(36),
  chargingState: z.optional(z.enum(CHARGING_STATES)),
  timeSpentCharging: z.optional(ocppInteger()),
  stoppedReason: z.optional(z.enum(STOPPED_REASONS)),
  remoteStartId: z.optional(ocppInteger()),
});

export const OcppEvse = z.strictObject({
  customData,
  id: ocppInteger(),
  connectorId: z.optional(ocppInteger()),
});

export const OcppAdditionalInfo = z.strictObject({
  customData,
  additionalIdToken: ocppString(36),
  type: ocppString(50),
});

export const OcppIdToken = z.strictObject({
  customData,
  additionalInfo: z.optional(z.array(OcppAdditionalInfo).check(z.minLength(1))),
  idToken: ocppString(36),
  type: z.enum(ID_TOKEN_TYPES),
});

export const TransactionEventRequest = z
  .strictObject({
    customData,
    eventType: z.enum(TRANSACTION_EVENT_TYPES),
    meterValue: z.optional(z.array(OcppMeterValue).check(z.minLength(1))),
    timestamp: ocppDateTime(),
    triggerReason: z.enum(TRIGGER_REASONS),
    seqNo: ocppInteger(),
    offline: z.optional(z.boolean()),
    numberOfPhasesUsed: z.optional(ocppInteger()),
    cableMaxCurrent: z.optional(ocppInteger()),
    reservationId: z.optional(ocppInteger()),
    transactionInfo: OcppTransaction,
    evse: z.optional(OcppEvse),
    idToken: z.optional(OcppIdToken),
  })
  .check(z.meta({ id: 'OcppTransactionEventRequest', description: 'OCPP 2.0.1 TransactionEventRequest.' }));

export const StatusNotificationRequest = z
  .strictObject({
    customData,
    timestamp: ocppDateTime(),
    connectorStatus: z.enum(OCPP_CONNECTOR_STATUSES),
    evseId: ocppInteger(),
    connectorId: ocppInteger(),
  })
  .check(
    z.meta({ id: 'OcppStatusNotificationRequest', description: 'OCPP 2.0.1 StatusNotificationRequest.' }),
  );

export type OcppSampledValue = z.output<typeof OcppSampledValue>;
export type OcppMeterValue = z.output<typeof OcppMeterValue>;
export type TransactionEventRequest = z.output<typeof TransactionEventRequest>;
export type StatusNotificationRequest = z.output<typeof StatusNotificationRequest>;

// ---------------------------------------------------------------------------------------------------
// Meter samples

/** What one OCPP MeterValue says about the session, in integer Wh / W and percent. */
export interface MeterSample {
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  /** Energy.Active.Import.Register in whole Wh, or null when this MeterValue carries none. */
  energyWh: number | null;
  /** The reading context of the energy value (Transaction.Begin marks the start register). */
  energyContext: ReadingContext;
  /** Power.Active.Import in whole W. */
  powerW: number | null;
  /** SoC in percent, 0–100. */
  socPercent: number | null;
}

const DEFAULT_MEASURAND: Measurand = 'Energy.Active.Import.Register';
const DEFAULT_CONTEXT: ReadingContext = 'Sample.Periodic';
/** Unit factors to Wh / W; other units (varh, VA, …) are not active import and are skipped. */
const ENERGY_UNITS: Record<string, number> = { Wh: 1, kWh: 1000 };
const POWER_UNITS: Record<string, number> = { W: 1, kW: 1000 };
const SOC_UNITS: Record<string, number> = { Percent: 1 };
const PER_PHASE = ['L1', 'L2', 'L3'] as const;
const PER_PHASE_TO_NEUTRAL = ['L1-N', 'L2-N', 'L3-N'] as const;

/** value × unit factor × 10^multiplier; dividing for negative exponents keeps float error smallest. */
function scaled(sample: OcppSampledValue, units: Record<string, number>, defaultUnit: string): number | null {
  const factor = units[sample.unitOfMeasure?.unit ?? defaultUnit];
  if (factor === undefined) return null;
  const multiplier = sample.unitOfMeasure?.multiplier ?? 0;
  const base = sample.value * factor;
  return multiplier >= 0 ? base * 10 ** multiplier : base / 10 ** -multiplier;
}

/**
 * One figure from the sampled values of a measurand. An overall value (no `phase`) wins; otherwise the
 * per-phase values L1+L2+L3 are summed (or L1-N+L2-N+L3-N when those are what the meter reports), since
 * both energy registers and active power add up over phases. Neutral and line-to-line values are never
 * summed. Location `Outlet` (the OCPP default: what the EV receives) is preferred; `Inlet` (grid side,
 * including the charger's losses) is used only when a MeterValue carries no Outlet value; EV, Cable and
 * Body are ignored.
 */
function combine(
  values: OcppSampledValue[],
  units: Record<string, number>,
  defaultUnit: string,
): { value: number; context: ReadingContext } | null {
  for (const location of ['Outlet', 'Inlet'] as const) {
    const here = values.filter((sample) => (sample.location ?? 'Outlet') === location);
    const overall = here.find(
      (sample) => sample.phase === undefined && scaled(sample, units, defaultUnit) !== null,
    );
    if (overall) {
      return {
        value: scaled(overall, units, defaultUnit) as number,
        context: overall.context ?? DEFAULT_CONTEXT,
      };
    }
    for (const phases of [PER_PHASE, PER_PHASE_TO_NEUTRAL]) {
      const parts = phases
        .map((phase) => here.find((sample) => sample.phase === phase))
        .filter((sample): sample is OcppSampledValue => sample !== undefined)
        .map((sample) => ({ sample, value: scaled(sample, units, defaultUnit) }))
        .filter((part): part is { sample: OcppSampledValue; value: number } => part.value !== null);
      if (parts.length > 0) {
        return {
          value: parts.reduce((sum, part) => sum + part.value, 0),
          context: parts[0]?.sample.context ?? DEFAULT_CONTEXT,
        };
      }
    }
  }
  return null;
}

/** Energy, power and SoC from each MeterValue of an event (TransactionEvent or MeterValues). */
export function meterSamples(event: { meterValue?: OcppMeterValue[] | undefined }): MeterSample[] {
  return (event.meterValue ?? []).map((meterValue) => {
    const of = (measurand: Measurand) =>
      meterValue.sampledValue.filter((sample) => (sample.measurand ?? DEFAULT_MEASURAND) === measurand);
    const energy = combine(of('Energy.Active.Import.Register'), ENERGY_UNITS, 'Wh');
    const power = combine(of('Power.Active.Import'), POWER_UNITS, 'W');
    const soc = of('SoC')
      .map((sample) => scaled(sample, SOC_UNITS, 'Percent'))
      .find((value): value is number => value !== null && value >= 0 && value <= 100);
    return {
      at: normalizeOcppDateTime(meterValue.timestamp),
      energyWh: energy === null ? null : Math.round(energy.value),
      energyContext: energy?.context ?? DEFAULT_CONTEXT,
      powerW: power === null ? null : Math.round(power.value),
      // Hundredths of a percent: finer than any vehicle reports, and always storable.
      socPercent: soc === undefined ? null : roundTo(soc, 2),
    };
  });
}
