// Repository hygiene that a review can miss: no merge-conflict markers in any tracked file.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('has no merge-conflict markers in any tracked text file', () => {
  const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const offenders: string[] = [];
  for (const file of files) {
    if (/\.(png|jpg|gz|zip|lock)$/.test(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // deleted in the working tree
    }
    if (/^(<{7} |>{7} |={7}$)/m.test(text)) offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
