// The catalog of Lambda functions: entry file, sizing, and exactly what each may do to the table. The
// stack turns `table.actions` into one IAM statement on the table (and the named indexes) per function,
// so least privilege is read off this file.

import type { FunctionName } from '../shared/http/route.js';
import type { IndexName } from '../shared/storage/table.js';

export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

export interface FunctionSpec {
  /** Path from the repository root. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  table?: { actions: DynamoAction[]; indexes?: IndexName[] };
  /** Reads the continuation-token key (list operations). */
  cursorSecret?: boolean;
}

export const FUNCTIONS: Record<FunctionName | 'authorizer', FunctionSpec> = {
  authorizer: {
    entry: 'functions/authorizer.ts',
    description: 'API Gateway Lambda authorizer: looks a bearer token up by its SHA-256',
    memoryMb: 512,
    timeoutSeconds: 5,
    table: { actions: ['dynamodb:GetItem'] },
  },
  meta: {
    entry: 'functions/meta.ts',
    description: 'OpenAPI document, error-code descriptions, and 404/405 for unknown routes',
    memoryMb: 256,
    timeoutSeconds: 5,
  },
  entities: {
    entry: 'functions/entities.ts',
    description: 'Entities, battery capacity and features',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
    },
    cursorSecret: true,
  },
  readings: {
    entry: 'functions/readings.ts',
    description: 'Readings ingestion (packed into hour segments) and listing',
    // A 1,000-reading request is parsed, validated, deflated and written in parallel: CPU grows with memory.
    memoryMb: 1024,
    timeoutSeconds: 15,
    table: {
      // GetItem: the entity (404, its session cursor) and the tenant's settings; Query: the hour buckets a
      // request touches (duplicates) and listings; PutItem: new segments and conditional rewrites.
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
    },
    cursorSecret: true,
  },
  locations: {
    entry: 'functions/locations.ts',
    description: "The tenant's named locations",
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      // Query: list, and count against the cap; PutItem/DeleteItem: create and delete, conditionally.
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    },
    cursorSecret: true,
  },
  sessions: {
    entry: 'functions/sessions.ts',
    description: 'Charge-session listings (per entity and per fleet) and their exports',
    // CSV exports serialise up to 4 MiB per response; Lambda's CPU grows with memory.
    memoryMb: 1024,
    // A CSV response runs at most CSV_MAX_QUERIES Queries; HTTP APIs give up on an integration after 30 s.
    timeoutSeconds: 29,
    table: {
      // GetItem: the entity (404, type, name); BatchGetItem: entity names in fleet CSVs; Query: the
      // entity's session partition (table) and the tenant's fleet partition (GSI2).
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      indexes: ['GSI2'],
    },
    cursorSecret: true,
  },
};
