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
};
