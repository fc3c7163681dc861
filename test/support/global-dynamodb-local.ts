import type { TestProject } from 'vitest/node';
import { startBackendFor } from './global-backend.js';

export default (project: TestProject) => startBackendFor(project, 'dynamodb-local');
