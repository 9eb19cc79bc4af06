// Reading a user-named file (or artifact) with an error that names it.

import { readFileSync, statSync } from 'node:fs';
import { SpcError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { artifactInputGraph } from '../eval/evaluate.js';

export function readInputFile(path: string): Uint8Array {
  let st;
  try { st = statSync(path); } catch { throw new SpcError(`${path}: no such file`); }
  if (st.isDirectory()) throw new SpcError(`${path}: is a folder, expected a file`);
  try { return new Uint8Array(readFileSync(path)); } catch (e) { throw new SpcError(`${path}: cannot read (${(e as Error).message})`); }
}

/** An artifact file's bytes and its inputs (artifactInputGraph); a damaged artifact's error names the file. */
export function readArtifactInputs(path: string): { bytes: Uint8Array; inputs: Graph } {
  const bytes = readInputFile(path);
  try {
    return { bytes, inputs: artifactInputGraph(bytes) };
  } catch (e) {
    if (e instanceof Error && e.name === 'ArtifactError') e.message = `${path}: ${e.message}`;
    throw e;
  }
}
