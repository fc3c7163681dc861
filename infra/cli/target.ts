// Which table an operator CLI works on: the running `npm start` (default; --port picks one of several), a deployed stack (the table
// name from its outputs), or a table named outright. Sets the environment the storage modules read, so
// it must run before they are first used.

import { selectServer } from '../local/state.js';

export interface TargetOptions {
  stack?: string | undefined;
  table?: string | undefined;
  region?: string | undefined;
  /** Which running `npm start` when several run in this checkout. */
  port?: string | undefined;
}

/**
 * The table from the stack's outputs, and the region the stack was found in. The region comes from the
 * shared client factory (--region, AWS_REGION, AWS_DEFAULT_REGION, then the profile), and is pinned into
 * AWS_REGION so the table is written in that same region.
 */
async function tableFromStack(stackName: string): Promise<string> {
  const [{ CloudFormationClient, DescribeStacksCommand }, { awsClient }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('../../shared/aws/clients.js'),
  ]);
  const client = awsClient(CloudFormationClient);
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
  if (!output) throw new Error(`stack ${stackName} has no TableName output`);
  process.env.AWS_REGION = await client.config.region();
  return output;
}

/** Points the storage modules at the target; throws with a message for the operator when there is none. */
export async function useTarget(options: TargetOptions): Promise<void> {
  if (options.stack || options.table) {
    if (options.region) process.env.AWS_REGION = options.region;
    process.env.TABLE_NAME = options.table ?? (await tableFromStack(options.stack as string));
    delete process.env.DYNAMODB_ENDPOINT;
    return;
  }
  let state: ReturnType<typeof selectServer>;
  try {
    state = selectServer(options.port);
  } catch (error) {
    throw new Error(`${(error as Error).message} (or pass --stack/--table)`);
  }
  process.env.TABLE_NAME = state.tableName;
  process.env.DYNAMODB_ENDPOINT = state.endpoint;
  process.env.AWS_REGION ??= 'local';
}
