// Item module: a tenant's settings (shared/tenants/settings.ts), one small item in the tenant's partition
// (`T#<tenant>`, sort key `SETTINGS`, which entity listings never match: they read `ENTITY#…`). No item
// means the defaults.

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '../tenants/settings.js';
import { documentClient, tableName } from './client.js';
import { entityKeys } from './entities.js';

export const tenantSettingsKeys = {
  primary: (tenantId: string) => ({ pk: entityKeys.tenantPartition(tenantId), sk: 'SETTINGS' }),
};

function settingsFromItem(item: Record<string, unknown> | undefined): TenantSettings {
  if (!item) return { ...DEFAULT_TENANT_SETTINGS };
  return {
    exactLocations: item.exactLocations === true,
    updated: typeof item.updated === 'string' ? item.updated : null,
  };
}

/** Eventually consistent: a setting an operator changed a second ago may apply a second later. */
export async function getTenantSettings(tenantId: string): Promise<TenantSettings> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: tenantSettingsKeys.primary(tenantId) }),
  );
  return settingsFromItem(Item);
}

export async function setExactLocations(
  tenantId: string,
  exactLocations: boolean,
  now: Date,
): Promise<TenantSettings> {
  const { Attributes } = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: tenantSettingsKeys.primary(tenantId),
      UpdateExpression: 'SET exactLocations = :on, updated = :at, itemType = :type, tenantId = :tenant',
      ExpressionAttributeValues: {
        ':on': exactLocations,
        ':at': now.toISOString(),
        ':type': 'TenantSettings',
        ':tenant': tenantId,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return settingsFromItem(Attributes);
}
