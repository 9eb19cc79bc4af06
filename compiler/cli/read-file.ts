// Reading a user-named file with an error that names it.

import { readFileSync, statSync } from 'node:fs';
import { SpcError } from '../errors.js';

export function readInputFile(path: string): Uint8Array {
  let st;
  try { st = statSync(path); } catch { throw new SpcError(`${path}: no such file`); }
  if (st.isDirectory()) throw new SpcError(`${path}: is a folder, expected a file`);
  try { return new Uint8Array(readFileSync(path)); } catch (e) { throw new SpcError(`${path}: cannot read (${(e as Error).message})`); }
}
