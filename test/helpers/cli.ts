// Runs the spc command line as a user would (node bin/spc.js …) and returns its exit code and output.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.js';

export const BIN = join(REPO_ROOT, 'bin', 'spc.js');

export interface CliResult { readonly code: number; readonly stdout: string; readonly stderr: string }

export function spc(...args: string[]): CliResult {
  return spcWithTimeout(120_000, ...args);
}

export function spcWithTimeout(timeoutMs: number, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
