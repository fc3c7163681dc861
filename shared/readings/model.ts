// A reading: one timestamped snapshot of what an entity (EV or charge point) reported. Ingestion stores
// these; the session engine consumes them. Every field but `t` is optional because entities report
// different signals (see the entity's capabilities) and not every message carries every signal.

export interface Reading {
  /** When the entity measured this, epoch milliseconds (UTC). One reading per entity per instant. */
  t: number;
  /** State of charge, percent 0–100, as the vehicle reports it (usually whole percents). */
  soc?: number;
  /** Instantaneous power in kW; > 0 means energy flowing into the vehicle (out of the charger). */
  powerKw?: number;
  /** Cumulative energy register in kWh (a charger's import register, or a vehicle's "energy added" counter). */
  energyKwh?: number;
  /** Estimated remaining range in km. */
  rangeKm?: number;
  isPluggedIn?: boolean;
  isCharging?: boolean;
  /** WGS 84 degrees. */
  lat?: number;
  lon?: number;
  odometerKm?: number;
}
