// The key that seals continuation tokens: given directly in local runs and tests (CURSOR_SECRET), read
// once per container from Secrets Manager on AWS (CURSOR_SECRET_ARN). The SDK client is imported only
// when a route first paginates, so functions that never do pay nothing for it at cold start.

import { config } from '../config.js';

let secret: Promise<string> | undefined;

async function fetchSecret(arn: string): Promise<string> {
  const [{ SecretsManagerClient, GetSecretValueCommand }, { awsClient }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../aws/clients.js'),
  ]);
  const client = awsClient(SecretsManagerClient);
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error('the continuation-token secret is empty');
  return SecretString;
}

export function cursorSecret(): Promise<string> {
  if (!secret) {
    const { cursorSecret: direct, cursorSecretArn } = config();
    if (direct) secret = Promise.resolve(direct);
    else if (cursorSecretArn) secret = fetchSecret(cursorSecretArn);
    else return Promise.reject(new Error('neither CURSOR_SECRET nor CURSOR_SECRET_ARN is configured'));
    // A failed fetch must not poison the container: forget it so the next request tries again.
    secret.catch(() => {
      secret = undefined;
    });
  }
  return secret;
}
