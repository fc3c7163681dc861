// The one client factory (shared/aws/clients.ts): every client of a process resolves the same region, the
// SDK's way plus AWS_DEFAULT_REGION, never a default of our own; and the operator CLIs write the token or
// the settings to the region they found the stack in (they once looked it up in the profile's region and
// wrote to us-east-1).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTarget } from '../../infra/cli/target.js';
import { awsClient, regionFromEnvironment, SDK_MAX_ATTEMPTS } from '../../shared/aws/clients.js';
import { resetConfig } from '../../shared/config.js';
import { documentClient, resetDocumentClient, tableName } from '../../shared/storage/client.js';

const VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'TABLE_NAME',
  'DYNAMODB_ENDPOINT',
] as const;
let saved: Partial<Record<(typeof VARIABLES)[number], string>>;
let dir: string;

beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  dir = mkdtempSync(join(tmpdir(), 'evs-aws-config-'));
  // A profile with a region and nothing else: the SDK must not fall back to the machine's own files.
  writeFileSync(join(dir, 'config'), '[profile evs-test]\nregion = eu-north-1\n');
  writeFileSync(join(dir, 'credentials'), '');
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  resetConfig();
  resetDocumentClient();
});

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(dir, { recursive: true, force: true });
  resetConfig();
  resetDocumentClient();
});

describe('the client factory', () => {
  it('takes AWS_REGION, else AWS_DEFAULT_REGION (the AWS CLI’s order), else leaves the region to the SDK', () => {
    expect(regionFromEnvironment({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' })).toBe(
      'eu-west-1',
    );
    expect(regionFromEnvironment({ AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-2');
    expect(regionFromEnvironment({})).toBeUndefined();
  });

  it('gives every client the region of AWS_DEFAULT_REGION alone, which SDK v3 itself ignores', async () => {
    process.env.AWS_DEFAULT_REGION = 'ap-southeast-2';
    for (const client of [awsClient(DynamoDBClient), awsClient(SecretsManagerClient), documentClient()])
      expect(await client.config.region()).toBe('ap-southeast-2');
    expect(await awsClient(DynamoDBClient).config.maxAttempts()).toBe(SDK_MAX_ATTEMPTS);
  });

  it('uses the profile’s region when the environment names none, never a default of its own', async () => {
    process.env.AWS_PROFILE = 'evs-test';
    expect(await documentClient().config.region()).toBe('eu-north-1');
    expect(await awsClient(SecretsManagerClient).config.region()).toBe('eu-north-1');
    // Without a profile region either, the SDK's own "Region is missing", not a silent us-east-1.
    delete process.env.AWS_PROFILE;
    await expect(awsClient(DynamoDBClient).config.region()).rejects.toThrow(/Region is missing/);
  });

  it('lets an embedded DynamoDB work without any region configured', async () => {
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';
    resetConfig();
    expect(await documentClient().config.region()).toBe('local');
  });
});

describe('the CLIs’ --stack target', () => {
  async function targetRegions(options: { stack: string; region?: string }) {
    const cloudFormation = mockClient(CloudFormationClient);
    let lookedUpIn: string | undefined;
    cloudFormation.on(DescribeStacksCommand).callsFake(async (_input, getClient) => {
      lookedUpIn = await getClient().config.region();
      return {
        Stacks: [
          { StackName: options.stack, Outputs: [{ OutputKey: 'TableName', OutputValue: 'evs-table' }] },
        ],
      };
    });
    try {
      await useTarget(options);
    } finally {
      cloudFormation.restore();
    }
    resetConfig();
    return { lookedUpIn, writesTo: await documentClient().config.region(), table: tableName() };
  }

  it('writes to the region it found the stack in: the profile’s', async () => {
    process.env.AWS_PROFILE = 'evs-test';
    expect(await targetRegions({ stack: 'EvSessions' })).toEqual({
      lookedUpIn: 'eu-north-1',
      writesTo: 'eu-north-1',
      table: 'evs-table',
    });
  });

  it('works with only AWS_DEFAULT_REGION set, and --region wins over everything', async () => {
    process.env.AWS_DEFAULT_REGION = 'ca-central-1';
    expect(await targetRegions({ stack: 'EvSessions' })).toMatchObject({
      lookedUpIn: 'ca-central-1',
      writesTo: 'ca-central-1',
    });
    resetDocumentClient();
    process.env.AWS_PROFILE = 'evs-test';
    expect(await targetRegions({ stack: 'EvSessions', region: 'sa-east-1' })).toMatchObject({
      lookedUpIn: 'sa-east-1',
      writesTo: 'sa-east-1',
    });
  });
});
