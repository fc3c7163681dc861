// `npm run aggregate [-- --date YYYY-MM-DD] [--concurrency N] [--port N]`: runs the daily job once, in this process,
// against the local store of a running `npm start` — the same planner and worker code as on AWS, with an
// in-process queue. Prints a progress bar and a summary.
//
//   --date YYYY-MM-DD   as the run after that day would: readings up to the end of that day (UTC)
//   --concurrency N     batches processed at once (default: the deployed worker's maximum concurrency)
//   --port N            which npm start, when several run in this checkout

import { parseArgs } from 'node:util';

// The SDK's Node-version notice is noise for a local tool (Lambda runs Node.js 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { isCalendarDate } from '../../shared/rollups/calendar.js';
import { selectServer } from '../local/state.js';

const USAGE = `usage: npm run aggregate [-- --date YYYY-MM-DD] [--concurrency N] [--port N]
  --date         process readings up to the end of that day (UTC); default: up to now
  --concurrency  batches of entities processed at once
  --port         the npm start to work on, when several run here (default: the only one)`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      concurrency: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const now = new Date();
  if (values.date !== undefined) {
    if (!isCalendarDate(values.date)) fail(`--date must be a date YYYY-MM-DD, not '${values.date}'`);
    if (values.date > now.toISOString().slice(0, 10)) fail(`--date ${values.date} is in the future`);
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 100))
    fail(`--concurrency must be 1–100, not '${values.concurrency}'`);

  let state: ReturnType<typeof selectServer>;
  try {
    state = selectServer(values.port);
  } catch (error) {
    fail((error as Error).message);
  }
  process.env.TABLE_NAME = state.tableName;
  process.env.DYNAMODB_ENDPOINT = state.endpoint;
  process.env.AWS_REGION ??= 'local';

  const { asOfForDate, formatSummary, loadWorkerHandler, progressBar, runAggregation } = await import(
    '../local/aggregate.js'
  );
  const worker = await loadWorkerHandler();
  const interactive = process.stderr.isTTY;
  let lastLine = 0;
  const summary = await runAggregation({
    worker,
    asOf: asOfForDate(values.date, now),
    concurrency,
    onProgress: (progress) => {
      if (interactive) {
        process.stderr.write(`\r${progressBar(progress)}\x1b[K`);
      } else if (Date.now() - lastLine > 1000 || progress.done === progress.planned) {
        lastLine = Date.now();
        process.stderr.write(`${progressBar(progress)}\n`);
      }
    },
  });
  if (interactive) process.stderr.write('\n');
  console.log(formatSummary(summary));
  if (summary.deadLetters.length > 0) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
