// Use case: the monthly report of a tenant (or one entity). Reads the entities (names, zones), the cost
// settings and the month's sessions, then applies the pure rules of ./monthly.ts.

import { NotFoundError, UnprocessableError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { getCostSettings } from '../storage/cost-settings.js';
import { getEntity, listEntities } from '../storage/entities.js';
import type { Position } from '../storage/page.js';
import { listFleetSessions, readEntitySessions } from '../storage/sessions.js';
import {
  monthlyReport as buildReport,
  type MonthlyRow,
  monthQueryRange,
  type ReportEntity,
} from './monthly.js';
import { MAX_REPORT_SESSIONS } from './routes.js';

const PAGE = 1_000;

export async function monthlyReport(
  tenantId: string,
  month: string,
  entityId?: string,
): Promise<MonthlyRow[]> {
  const range = monthQueryRange(month);
  const entities = new Map<string, ReportEntity>();
  let sessions: ChargeSessionRecord[];
  if (entityId !== undefined) {
    const entity = isUuid(entityId) ? await getEntity(tenantId, entityId) : undefined;
    if (!entity) throw new NotFoundError('entity_not_found', `No entity with id '${entityId}' exists.`);
    entities.set(entity.id, { id: entity.id, name: entity.name, timeZone: entity.timeZone });
    sessions = await readEntitySessions(tenantId, entityId, range);
  } else {
    let startKey: Position | undefined;
    do {
      const page = await listEntities(tenantId, { pageSize: PAGE, startKey });
      for (const e of page.items) entities.set(e.id, { id: e.id, name: e.name, timeZone: e.timeZone });
      startKey = page.nextKey;
    } while (startKey);
    sessions = [];
    do {
      const page = await listFleetSessions(tenantId, range, { pageSize: PAGE, startKey });
      sessions.push(...page.items);
      if (sessions.length > MAX_REPORT_SESSIONS) {
        throw new UnprocessableError(
          'report_too_large',
          `More than ${MAX_REPORT_SESSIONS} sessions in this month; ask for one entity at a time (entityId).`,
        );
      }
      startKey = page.nextKey;
    } while (startKey);
  }
  const settings = await getCostSettings(tenantId);
  return buildReport(month, sessions, entities, settings);
}
