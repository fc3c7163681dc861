// Starts one embedded DynamoDB for an integration project; every test file creates its own table on it.

import type { TestProject } from 'vitest/node';
import { type Backend, startEmbeddedDynamo } from '../../infra/local/dynamo.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    dynamoBackend: Backend;
  }
}

export async function startBackendFor(project: TestProject, backend: Backend) {
  const dynamo = await startEmbeddedDynamo(backend);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('dynamoBackend', backend);
  return () => dynamo.stop();
}
