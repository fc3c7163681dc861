// Test layers: `unit` (pure code, mocked SDK), `infra` (CDK assertions and cdk-nag), and the integration
// suite over HTTP against the local runner, once per DynamoDB backend. With DDB_BACKEND unset it runs
// on dynalite, and on DynamoDB Local too when Java is present; DDB_BACKEND=<backend> picks one.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_PATH } from './test/browser/chromium.js';

const requested = process.env.DDB_BACKEND;
if (requested && requested !== 'dynalite' && requested !== 'dynamodb-local') {
  throw new Error(`DDB_BACKEND must be 'dynalite' or 'dynamodb-local', not '${requested}'`);
}
const javaPresent = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
const backends = requested ? [requested] : javaPresent ? ['dynalite', 'dynamodb-local'] : ['dynalite'];
if (!requested && !javaPresent) {
  console.warn(
    '[evsessions] Java not found: the integration suite runs on dynalite only, not on DynamoDB Local.',
  );
}

const chromiumPresent = existsSync(CHROMIUM_PATH);
if (!chromiumPresent) {
  console.warn(
    `[evsessions] Chromium not found at ${CHROMIUM_PATH}: the browser tests are SKIPPED (apt-get install chromium, or set CHROMIUM_PATH).`,
  );
}

export default defineConfig({
  test: {
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      AWS_REGION: 'local',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/setup-unit.ts'],
          // Fixed-seed property tests are deterministic, but two shared cores under the whole suite can
          // slow a 2 s test past vitest's 5 s default: the limit guards against hangs, not speed.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        // The dashboard's own modules (web/src), pure or over a fake fetch.
        test: { name: 'web', include: ['web/test/**/*.test.ts'] },
      },
      {
        extends: true,
        // The dashboard in a real browser against `npm start` (skipped, saying so, without Chromium).
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        // Building a CDK stack in beforeAll can pass 10 s on a loaded machine.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      ...backends.map((backend) => ({
        extends: true as const,
        test: {
          name: backend === 'dynalite' ? 'integration' : `integration-${backend}`,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [`test/support/global-${backend}.ts`],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
    ],
  },
});
