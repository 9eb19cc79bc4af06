// Reading a user-named file (or artifact) with an error that names it, bounded (io/read.ts).

import type { Graph } from '../ir/graph.js';
import { artifactInputGraph } from '../eval/evaluate.js';
import { READ_CAPS, readBounded } from '../io/read.js';

/** A regular file of at most `maxBytes` (default: an artifact's cap, the largest a CLI input may be). */
export function readInputFile(path: string, maxBytes: number = READ_CAPS.artifact): Uint8Array {
  return readBounded(path, maxBytes);
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
