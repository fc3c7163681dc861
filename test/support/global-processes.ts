// Every test project: gives its child processes a marker (test/support/processes.ts), and after the
// project's last test fails the run if any process carrying it is still running, naming it, then ends it.

import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { processesWithMarker, stopProcessGroup } from './processes.js';

export default (project: TestProject) => {
  const marker = `${project.name}-${randomUUID()}`;
  project.provide('processMarker', marker);
  return async () => {
    const left = processesWithMarker(marker);
    if (left.length === 0) return;
    await Promise.all([...new Set(left.map((p) => p.pgid))].map((pgid) => stopProcessGroup(pgid, 2_000)));
    // Vitest prints an error thrown by a global teardown but still exits 0: fail the run ourselves.
    process.exitCode = 1;
    throw new Error(
      `test project ${project.name} left ${left.length} process(es) running (now ended):\n${left
        .map((p) => `  ${p.pid}  ${p.command}`)
        .join('\n')}`,
    );
  };
};
