// Item module: a tenant's cost settings (default tariff, reimbursement reference price), one small item
// in the tenant's tariff partition (`T#<tenant>#TARIFFS`, sort key `COST_SETTINGS`, which the tariff
// Queries never match: they read `TARIFF#…` and `PRICES#…`). There rather than in `T#<tenant>`, so the
// tariffs function's writes can be limited to that partition (IAM's LeadingKeys cannot name `T#<tenant>`
// without also naming every partition below it). No item means no default tariff and no reference price.

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
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

/** Attempts before a PUT that keeps losing to concurrent PUTs gives up (each loss means another won). */
const PUT_ATTEMPTS = 5;

/**
 * Replaces the settings. A new default tariff is counted as referenced before the write and the old one
 * released after it (see shared/storage/tariffs.ts); false, and nothing written, when the new default
 * tariff does not exist. The write is conditional on the settings as read (their version), so two
 * concurrent PUTs that both move the default away from a tariff release it once, not twice: a count may
 * end too high (a crash between the steps), never too low.
 */
export async function putCostSettings(tenantId: string, next: CostSettings): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: costSettingsKeys.primary(tenantId),
        ConsistentRead: true,
      }),
    );
    const currentDefault = (Item?.defaultTariffId as string | undefined) ?? null;
    const version = (Item?.version as number | undefined) ?? 0;
    const changed = currentDefault !== next.defaultTariffId;
    const referenced = changed && next.defaultTariffId !== null;
    if (referenced && !(await addTariffReference(tenantId, next.defaultTariffId!, 1))) return false;
    const written = await conditionalWrite(
      documentClient().send(
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
            version: version + 1,
          },
          // `#v`: an expression name, whatever DynamoDB reserves. An item from before versions has none.
          ...(Item
            ? Item.version === undefined
              ? {
                  ConditionExpression: 'attribute_not_exists(#v)',
                  ExpressionAttributeNames: { '#v': 'version' },
                }
              : {
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': version },
                }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      ),
    );
    if (written) {
      if (changed && currentDefault) await addTariffReference(tenantId, currentDefault, -1);
      return true;
    }
    // Another PUT won since the read: take back this attempt's count and read again.
    if (referenced) await addTariffReference(tenantId, next.defaultTariffId!, -1);
    if (attempt >= PUT_ATTEMPTS) throw new Error('cost settings changed under every attempt to write them');
  }
}
