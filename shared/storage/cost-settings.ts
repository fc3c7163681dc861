// Item module: a tenant's cost settings (default tariff, reimbursement reference price), one small item
// in the tenant's tariff partition (`T#<tenant>#TARIFFS`, sort key `COST_SETTINGS`, which the tariff
// Queries never match: they read `TARIFF#…` and `PRICES#…`). There rather than in `T#<tenant>`, so the
// tariffs function's writes can be limited to that partition (IAM's LeadingKeys cannot name `T#<tenant>`
// without also naming every partition below it). No item means no default tariff and no reference price.

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './client.js';
import { addTariffReference, tariffKeys } from './tariffs.js';

export interface CostSettings {
  /** Prices sessions at no location with a tariff of its own; null: such sessions get `cost: null`. */
  defaultTariffId: string | null;
  /** What the employer pays per kWh charged at home; null when the tenant reimburses nothing. */
  reimbursement: { currency: string; pricePerKwh: number } | null;
  /** Home sessions are reimbursed at their actual tariff cost instead of the reference price. */
  reimburseHomeAtActualTariff: boolean;
  updated: string | null;
}

export const DEFAULT_COST_SETTINGS: CostSettings = {
  defaultTariffId: null,
  reimbursement: null,
  reimburseHomeAtActualTariff: false,
  updated: null,
};

export const costSettingsKeys = {
  primary: (tenantId: string) => ({ pk: tariffKeys.partition(tenantId), sk: 'COST_SETTINGS' }),
};

export async function getCostSettings(tenantId: string, consistent = false): Promise<CostSettings> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: costSettingsKeys.primary(tenantId),
      ConsistentRead: consistent,
    }),
  );
  if (!Item) return { ...DEFAULT_COST_SETTINGS };
  return {
    defaultTariffId: (Item.defaultTariffId as string | undefined) ?? null,
    reimbursement: (Item.reimbursement as CostSettings['reimbursement'] | undefined) ?? null,
    reimburseHomeAtActualTariff: Item.reimburseHomeAtActualTariff === true,
    updated: (Item.updated as string | undefined) ?? null,
  };
}

/**
 * Replaces the settings. A new default tariff is counted as referenced before the write and the old one
 * released after it (see shared/storage/tariffs.ts); false, and nothing written, when the new default
 * tariff does not exist.
 */
export async function putCostSettings(tenantId: string, next: CostSettings): Promise<boolean> {
  const current = await getCostSettings(tenantId, true);
  const changed = current.defaultTariffId !== next.defaultTariffId;
  if (changed && next.defaultTariffId && !(await addTariffReference(tenantId, next.defaultTariffId, 1))) {
    return false;
  }
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...costSettingsKeys.primary(tenantId),
        itemType: 'CostSettings',
        tenantId,
        ...(next.defaultTariffId ? { defaultTariffId: next.defaultTariffId } : {}),
        ...(next.reimbursement ? { reimbursement: next.reimbursement } : {}),
        reimburseHomeAtActualTariff: next.reimburseHomeAtActualTariff,
        updated: next.updated,
      },
    }),
  );
  if (changed && current.defaultTariffId) await addTariffReference(tenantId, current.defaultTariffId, -1);
  return true;
}
