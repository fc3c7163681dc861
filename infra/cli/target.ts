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

async function tableFromStack(stackName: string, region: string | undefined): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region ? { region } : {});
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
  if (!output) throw new Error(`stack ${stackName} has no TableName output`);
  return output;
}

/** Points the storage modules at the target; throws with a message for the operator when there is none. */
export async function useTarget(options: TargetOptions): Promise<void> {
  if (options.stack || options.table) {
    process.env.TABLE_NAME = options.table ?? (await tableFromStack(options.stack as string, options.region));
    if (options.region) process.env.AWS_REGION = options.region;
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
