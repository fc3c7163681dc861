// Data the warm and server benchmarks share: a page's worth of stored sessions for one EV, and public
// charging sessions to poll. Imported lazily by each bench after the database is configured.

/** `count` calculated sessions of one EV, a day apart from 2026-01-01 at 18:00 UTC. */
export async function seedEntitySessions(tenantId: string, entityId: string, count: number): Promise<void> {
  const { upsertSession } = await import('../shared/storage/sessions.js');
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.UTC(2026, 0, 1 + i, 18)).toISOString();
    await upsertSession({
      tenantId,
      entityId,
      entityType: 'EV',
      id: `${entityId.slice(0, -2)}${String(i).padStart(2, '0')}`,
      start,
      end: new Date(Date.parse(start) + 2 * 3_600_000).toISOString(),
      energyKwh: 14.2,
      averagePowerKw: 7.1,
      peakPowerKw: 7.4,
      chargingSeconds: 7_200,
      socStartPercent: 30,
      socEndPercent: 55,
      rangeStartKm: 120,
      rangeEndKm: 220,
      locationMatches: [{ accuracy: 0.9, location: { id: 'home', label: 'Home' } }],
      position: null,
      method: 'power_flow',
      source: 'calculated',
      created: start,
      measured: null,
    });
  }
}

/** Connectors per bench charger; the per-charger start cap (12 an hour) allows a start on each. */
const CONNECTORS_PER_CHARGER = 10;

/**
 * Public sessions started on `chargers` public chargers (linked to a new CP entity) with 10 connectors each,
 * returning their session tokens. Polls are limited to 30 a minute per token, so a benchmark that polls
 * faster rotates over many tokens.
 */
export async function seedPublicSessions(
  tenantId: string,
  chargers: number,
  now: Date,
  codePrefix = 'BENCH',
): Promise<string[]> {
  const { createEntity } = await import('../shared/entities/service.js');
  const { createCharger } = await import('../shared/chargers/service.js');
  const { startSession } = await import('../shared/public-sessions/service.js');
  const cp = await createEntity(
    tenantId,
    { type: 'CP', name: 'Bench CP', timeZone: 'UTC', capabilities: [] },
    now,
  );
  const tokens: string[] = [];
  for (let c = 0; c < chargers; c++) {
    const code = `${codePrefix}${c}`;
    await createCharger(
      tenantId,
      {
        publicCode: code,
        name: `Bench charger ${c}`,
        entityId: cp.id,
        public: true,
        online: true,
        connectors: Array.from({ length: CONNECTORS_PER_CHARGER }, (_, k) => ({
          connectorId: k + 1,
          type: 'Type2' as const,
          maxPowerKw: 22,
          evseConnectorId: 1,
        })),
        pricing: { currency: 'EUR', pricePerKwh: 40, startFee: 0, taxRate: 0.2 },
        holdAmount: 2_000,
      },
      now,
    );
    for (let k = 1; k <= CONNECTORS_PER_CHARGER; k++) {
      tokens.push((await startSession({ code, connector_id: k }, now)).token);
    }
  }
  return tokens;
}
