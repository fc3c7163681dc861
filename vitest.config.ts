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

// The date guard (test/support/shifted-clock.mjs): the unit tests run with the clock a year and a month
// back, the in-process integration tests on dynalite a year and a month ahead, so a test that only passes
// near the date it was written fails at once. DynamoDB Local runs on the real clock (its TTL sweeps by the
// JVM's clock), and so do the tests that spawn `npm start`: the README lines they run call the shell's
// `date`, which a JavaScript clock cannot move. `faketime` moves them all; see docs/testing.md.
const CLOCK_SHIFT = { unit: -400, integration: 400 } as const;
/** Tests that start `npm start` or a CLI in a child process. */
const SPAWNING_TESTS = [
  'test/integration/npm-start.test.ts',
  'test/integration/npm-start-lifecycle.test.ts',
  'test/integration/aggregate-cli.test.ts',
  'test/integration/tenant-cli.test.ts',
  'test/integration/charger-cli.test.ts',
];
/** Each project checks at its end that no child process a test started is still running. */
const PROCESS_CHECK = 'test/support/global-processes.ts';

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
          env: { EVS_TEST_CLOCK_SHIFT_DAYS: String(CLOCK_SHIFT.unit) },
          setupFiles: ['test/support/shifted-clock.mjs', 'test/support/setup-unit.ts'],
          globalSetup: [PROCESS_CHECK],
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
          globalSetup: [PROCESS_CHECK],
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      ...backends.flatMap((backend) => {
        const integration = (name: string, include: string[], exclude: string[], shiftDays: number) => ({
          extends: true as const,
          test: {
            name,
            include,
            exclude,
            env: { EVS_TEST_CLOCK_SHIFT_DAYS: String(shiftDays) },
            setupFiles: ['test/support/shifted-clock.mjs'],
            globalSetup: [PROCESS_CHECK, `test/support/global-${backend}.ts`],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        });
        if (backend === 'dynamodb-local') {
          return [integration('integration-dynamodb-local', ['test/integration/**/*.test.ts'], [], 0)];
        }
        return [
          integration(
            'integration',
            ['test/integration/**/*.test.ts'],
            SPAWNING_TESTS,
            CLOCK_SHIFT.integration,
          ),
          integration('integration-cli', SPAWNING_TESTS, [], 0),
        ];
      }),
    ],
  },
});
