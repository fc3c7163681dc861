// The one definition of the DynamoDB table. The CDK stack (infra/database.ts) and the embedded table of
// the local runner and tests (infra/local/dynamo.ts) are both built from it, so they cannot drift.
// Key layouts per item type live next to each item's module; docs/access-patterns.md lists them all.

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it (TTL only cleans up, code enforces expiry). */
  ttlAttribute: 'ttl',
  indexes: {
    /** Overloaded: a tenant's tokens; entities with CaptureChargeSessions on (sparse, sharded). */
    GSI1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Overloaded: cross-entity listings (fleet sessions, daily rollups; chargers by code). */
    GSI2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** Every key attribute the table and its indexes declare; all are strings. */
export function keyAttributeNames(): string[] {
  const names = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of Object.values(TABLE.indexes)) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names];
}

/** The CreateTable input for an embedded DynamoDB (dynalite or DynamoDB Local). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributeNames().map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.entries(TABLE.indexes).map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
