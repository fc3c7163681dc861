// Atlas Public Policy's EV Charging Use Data Specification, session operating data (session.schema.json
// of the specification's published schemas; seed 001). One JSON object per session, every field present,
// null where our data cannot know the value — never a made-up one. The JSON Schema we validate against,
// with each nullable field and its reason, is test/schemas/atlas-session.schema.json.
//
// Null, and why:
// - port_id: a registry value (for NEVI the permanent port id of 23 CFR 680.116(c)(8)); only the context
//   can supply it, and an EV session was at a port nobody registered with us.
// - plug_start/plug_end_datetime, session_duration: only a charger sees the cable; calculated sessions
//   (from telemetry) know when energy flowed, not when the car was plugged in.
// - total_fee_charged, energy_fee, session_fee, time_fee: the spec wants USD. Filled for USD sessions from
//   the tariff that priced them (`cost`: total with VAT, the average ENERGY price per kWh, the FLAT fee,
//   the average TIME price per minute; 0 where that tariff charged nothing of the kind) or from what the
//   charger measured (no per-minute price there); null for other currencies (no exchange rate is
//   invented) and when no price is known.
// - user_id: sessions keep no driver identity, anonymised or not.
// - successful_completion, ended_by, error_code: only a charger reports how a session ended.
// - start_soc/end_soc: when the source did not report state of charge (most charge points).
// - payment_type: only measured sessions know how they were paid.

import { currencyExponent, decimalAmount, minorToDecimal } from '../money.js';
import type { ChargeSessionRecord, SessionCost } from '../sessions/model.js';
import { type ExportContext, registeredPortId } from './context.js';
import {
  isoDuration,
  type PaymentType,
  roundTo,
  secondsBetween,
  sessionOutcome,
  sessionPayment,
} from './session-facts.js';

export interface AtlasSession {
  session_id: string;
  port_id: string | null;
  plug_start_datetime: string | null;
  plug_end_datetime: string | null;
  charge_start_datetime: string;
  charge_end_datetime: string;
  session_duration: string | null;
  charging_duration: string;
  energy_kwh: number;
  peak_kw: number;
  total_fee_charged: number | null;
  energy_fee: number | null;
  session_fee: number | null;
  time_fee: number | null;
  user_id: string | null;
  successful_completion: boolean | null;
  ended_by: string | null;
  start_soc: number | null;
  end_soc: number | null;
  error_code: string | null;
  payment_type: PaymentType | null;
}

/** The currency the specification's fee fields are expressed in. */
export const ATLAS_CURRENCY = 'USD';

/** kWh and kW keep four decimals, as the read API does; state of charge as a 0–1 fraction with four. */
const QUANTITY_PLACES = 4;

export function toAtlasSession(session: ChargeSessionRecord, context: ExportContext = {}): AtlasSession {
  const measured = session.measured;
  const plugStart = measured?.plugStart ?? null;
  const plugEnd = measured?.plugEnd ?? null;
  const plugSeconds = secondsBetween(plugStart, plugEnd);
  const usd = measured?.currency?.toUpperCase() === ATLAS_CURRENCY;
  const usdAmount = (minor: number | null | undefined) =>
    usd && minor !== undefined ? decimalAmount(minor, ATLAS_CURRENCY, context.currencyExponents) : null;
  const outcome = sessionOutcome(session);
  const fees =
    session.cost?.currency.toUpperCase() === ATLAS_CURRENCY ? tariffFees(session.cost, context) : null;
  return {
    session_id: session.id,
    port_id: registeredPortId(session, context),
    plug_start_datetime: plugStart,
    plug_end_datetime: plugEnd,
    charge_start_datetime: session.start,
    charge_end_datetime: session.end,
    // A plug-out recorded before plug-in is a charger clock fault; no duration rather than a wrong one.
    session_duration: plugSeconds !== null && plugSeconds >= 0 ? isoDuration(plugSeconds) : null,
    charging_duration: isoDuration(session.chargingSeconds),
    energy_kwh: roundTo(session.energyKwh, QUANTITY_PLACES),
    peak_kw: roundTo(session.peakPowerKw, QUANTITY_PLACES),
    // Assumed tax-inclusive: it is what the driver's card was charged (Plugchoice caps it at the authorised amount).
    // A charger's own session: what the driver's card was charged (capped at the hold). Otherwise the
    // price of the tariff that priced the session, with VAT.
    total_fee_charged:
      usd && measured?.costAmount != null ? usdAmount(measured.costAmount) : (fees?.total ?? null),
    energy_fee: fees ? fees.energy : usdAmount(measured?.pricePerKwh),
    session_fee: fees ? fees.session : usdAmount(measured?.startFee),
    time_fee: fees ? fees.time : null,
    user_id: null,
    successful_completion: outcome.successful,
    ended_by: outcome.endedBy,
    start_soc:
      session.socStartPercent === null ? null : roundTo(session.socStartPercent / 100, QUANTITY_PLACES),
    end_soc: session.socEndPercent === null ? null : roundTo(session.socEndPercent / 100, QUANTITY_PLACES),
    // The specification separates several codes with commas.
    error_code: outcome.errorCodes.length > 0 ? outcome.errorCodes.join(',') : null,
    payment_type: sessionPayment(session)?.type ?? null,
  };
}

/** Atlas's fee fields from a tariff-priced USD session: amounts with VAT, rates as the session's averages. */
function tariffFees(cost: SessionCost, context: ExportContext) {
  const exponent = currencyExponent(ATLAS_CURRENCY, context.currencyExponents) ?? 2;
  const sum = (type: string, of: 'amount' | 'quantity') =>
    cost.breakdown.filter((l) => l.type === type).reduce((a, l) => a + l[of], 0);
  const rate = (type: string, perUnit: number) => {
    const quantity = sum(type, 'quantity') * perUnit;
    return quantity > 0 ? roundTo(minorToDecimal(sum(type, 'amount'), exponent) / quantity, 6) : 0;
  };
  return {
    total: minorToDecimal(cost.total + cost.tax, exponent),
    energy: rate('ENERGY', 1),
    session: minorToDecimal(sum('FLAT', 'amount'), exponent),
    // TIME quantities are hours; Atlas's time fee is per minute.
    time: rate('TIME', 60),
  };
}
