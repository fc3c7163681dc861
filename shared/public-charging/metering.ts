// Folding a charger's TransactionEvents into a session, robust to events that arrive twice, late or out
// of seqNo order (offline: true). Every fold is a join: min/max/first-by-time/keep-once, so applying
// events in any order, any number of times, gives the same record.
//
// Energy: registers are monotonic within a transaction, so energy = highest register − start register,
// where the start register is the value the charger marked Transaction.Begin, or else the lowest
// register seen (the earliest sample, whichever event brought it). The stored energy is also never
// lowered: a late Transaction.Begin can only raise it, a meter glitch cannot reduce it.

import { ConflictError } from '../errors.js';
import {
  type MeterSample,
  meterSamples,
  normalizeOcppDateTime,
  type TransactionEventRequest,
} from './ocpp.js';
import { chargedAmount, keepEnergySample, pricedUntil } from './pricing.js';
import type { MeterState, PublicSessionRecord, SeqNoBook } from './session.js';

/** How many seqNos below the highest are remembered exactly; older ones are folded idempotently anyway. */
export const SEQ_WINDOW = 64;

/** Null when the event belongs to this session's transaction and EVSE, else the 409 to return. */
export function transactionMismatch(
  record: PublicSessionRecord,
  event: TransactionEventRequest,
): ConflictError | null {
  const info = event.transactionInfo;
  const otherTransaction =
    record.transactionId !== null
      ? info.transactionId !== record.transactionId
      : info.remoteStartId !== undefined && info.remoteStartId !== record.remoteStartId;
  const otherEvse =
    event.evse !== undefined &&
    (event.evse.id !== record.evseId ||
      (event.evse.connectorId !== undefined && event.evse.connectorId !== record.evseConnectorId));
  if (!otherTransaction && !otherEvse) return null;
  return new ConflictError(
    'transaction_mismatch',
    `Transaction ${info.transactionId} on EVSE ${event.evse?.id ?? '?'} is not session ${record.id}'s.`,
    { extensions: { transactionId: info.transactionId, sessionTransactionId: record.transactionId } },
  );
}

export function hasSeenSeqNo(book: SeqNoBook, seqNo: number): boolean {
  return book.highest === seqNo || book.recent.includes(seqNo);
}

export function recordSeqNo(book: SeqNoBook, seqNo: number): SeqNoBook {
  const highest = book.highest === null ? seqNo : Math.max(book.highest, seqNo);
  if (seqNo <= highest - SEQ_WINDOW) return { highest, recent: book.recent };
  const recent = [...new Set([...book.recent, seqNo])]
    .filter((n) => n > highest - SEQ_WINDOW)
    .sort((a, b) => a - b);
  return { highest, recent };
}

const minOf = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));
const maxOf = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
const earliest = (a: string | null, b: string) => (a === null || b < a ? b : a);
const latest = (a: string | null, b: string) => (a === null || b > a ? b : a);

function foldMeter(meter: MeterState, samples: MeterSample[]): MeterState {
  let next = meter;
  for (const sample of samples) {
    if (sample.energyWh !== null) {
      next = {
        ...next,
        registerMinWh: minOf(next.registerMinWh, sample.energyWh),
        registerMaxWh: maxOf(next.registerMaxWh, sample.energyWh),
        registerBeginWh:
          sample.energyContext === 'Transaction.Begin'
            ? minOf(next.registerBeginWh, sample.energyWh)
            : next.registerBeginWh,
        samples: keepEnergySample(next.samples ?? [], { at: sample.at, wh: sample.energyWh }),
      };
    }
    if (sample.powerW !== null) next = { ...next, peakPowerW: maxOf(next.peakPowerW, sample.powerW) };
    if (sample.socPercent !== null) {
      const soc = { at: sample.at, percent: sample.socPercent };
      if (next.socFirst === null || soc.at < next.socFirst.at) next = { ...next, socFirst: soc };
      if (next.socLast === null || soc.at > next.socLast.at) next = { ...next, socLast: soc };
    }
  }
  return next;
}

/** Energy from the registers, never below what was already reported. */
export function energyFromMeter(meter: MeterState, previousWh: number | null): number | null {
  if (meter.registerMaxWh === null || meter.registerMinWh === null) return previousWh;
  const start = meter.registerBeginWh ?? meter.registerMinWh;
  return Math.max(previousWh ?? 0, meter.registerMaxWh - start, 0);
}

/**
 * The record with one TransactionEvent's facts folded in: transaction id, seqNo, meter, energy and
 * running cost, charging state (newest seqNo wins), stoppedReason (kept once reported), charging time,
 * and the transaction's timestamps. Status is not touched; lifecycle.ts decides that.
 */
export function foldTransactionEvent(
  record: PublicSessionRecord,
  event: TransactionEventRequest,
): PublicSessionRecord {
  const info = event.transactionInfo;
  const at = normalizeOcppDateTime(event.timestamp);
  const samples = meterSamples(event);
  const meter = foldMeter(record.meter, samples);
  const energyWh = energyFromMeter(meter, record.energyWh);
  const newerState =
    info.chargingState !== undefined &&
    (record.chargingStateSeqNo === null || event.seqNo > record.chargingStateSeqNo);
  const unplugged = event.triggerReason === 'EVDeparted' || info.stoppedReason === 'EVDisconnected';
  // The transaction began at its earliest event, or at its Transaction.Begin reading, which an Ended
  // event repeats: so the start is right even when Ended is processed before Started.
  const begun = samples
    .filter((sample) => sample.energyContext === 'Transaction.Begin')
    .reduce((first, sample) => earliest(first, sample.at), at);
  const chargingStartedAt = earliest(record.chargingStartedAt, begun);
  const completedAt = event.eventType === 'Ended' ? (record.completedAt ?? at) : record.completedAt;
  const priced = { ...record, meter, energyWh, chargingStartedAt, completedAt };
  return {
    ...record,
    transactionId: record.transactionId ?? info.transactionId,
    seqNos: recordSeqNo(record.seqNos, event.seqNo),
    meter,
    energyWh,
    costAmount: energyWh === null ? record.costAmount : chargedAmount(priced, pricedUntil(priced)),
    chargingState: newerState ? (info.chargingState ?? null) : record.chargingState,
    chargingStateSeqNo: newerState ? event.seqNo : record.chargingStateSeqNo,
    stoppedReason: record.stoppedReason ?? info.stoppedReason ?? null,
    timeSpentChargingSeconds:
      info.timeSpentCharging === undefined
        ? record.timeSpentChargingSeconds
        : maxOf(record.timeSpentChargingSeconds, info.timeSpentCharging),
    chargingStartedAt,
    completedAt,
    pluggedInAt:
      event.triggerReason === 'CablePluggedIn' ? earliest(record.pluggedInAt, at) : record.pluggedInAt,
    unpluggedAt: unplugged ? latest(record.unpluggedAt, at) : record.unpluggedAt,
  };
}
