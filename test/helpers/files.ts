// Small file helpers for tests: .npy loading, temp folders.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy } from '../../compiler/io/npy.js';
import type { NpyArray } from '../../compiler/io/npy.js';

export function readNpy(path: string): NpyArray {
  return parseNpy(new Uint8Array(readFileSync(path)), path);
}

export function tempDir(prefix = 'spc-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
