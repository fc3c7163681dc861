// The one way this code builds an AWS SDK client, on Lambda and in the operator CLIs alike, so every
// client of a process talks to the same region with the same retry budget. Each call site imports its
// own SDK package (lazily where a function rarely needs it); this module adds only the shared settings.
//
// Region: the SDK's own resolution (AWS_REGION, then the profile's `region` in ~/.aws/config, …), with one
// addition: AWS_DEFAULT_REGION, which the AWS CLI and CDK honour but SDK v3 ignores, counts when
// AWS_REGION is unset (the AWS CLI's order). Never a default of our own: a made-up region once sent the
// token CLI's writes to us-east-1 while it had looked the stack up in the profile's region.

/** The settings every client shares. */
export interface AwsClientSettings {
  /** Absent: the SDK resolves it (the profile's region), or fails with "Region is missing". */
  region?: string;
  maxAttempts: number;
}

/** Attempts per request, the first included: rides out a throttle or a dropped connection. */
export const SDK_MAX_ATTEMPTS = 4;

/** The region from the environment, in the AWS CLI's order; undefined leaves it to the SDK's chain. */
export function regionFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

export function awsClientSettings(env: NodeJS.ProcessEnv = process.env): AwsClientSettings {
  const region = regionFromEnvironment(env);
  return { maxAttempts: SDK_MAX_ATTEMPTS, ...(region ? { region } : {}) };
}

/**
 * `awsClient(DynamoDBClient)`, `awsClient(SecretsManagerClient)`: a client with the shared settings, plus
 * `extra` (an endpoint for a local DynamoDB, say), which wins over them.
 */
export function awsClient<C, Config extends object>(
  Client: new (config: Config) => C,
  extra: Partial<Config> = {},
): C {
  return new Client({ ...awsClientSettings(), ...extra } as Config);
}
