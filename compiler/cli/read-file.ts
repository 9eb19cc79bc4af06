// Reading a user-named file (or artifact) with an error that names it, bounded (io/read.ts).

import type { Graph } from '../ir/graph.js';
import { artifactInputGraph } from '../eval/evaluate.js';
import { READ_CAPS, readBounded } from '../io/read.js';
import { loadModel } from '../../runtime/index.js';
import type { Model } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';

/** The runtime's refusals of an artifact: when parsed, and when its nodes are bound to kernels at load. */
const REFUSALS = new Set(['ArtifactError', 'RunError', 'KernelError']);

/** `e`, with a refusal of the artifact at `path` prefixed by the file's name. */
function namingFile(path: string, e: unknown): unknown {
  if (e instanceof Error && REFUSALS.has(e.name)) e.message = `${path}: ${e.message}`;
  return e;
}

/** loadModel on an artifact file's bytes; a refusal (damaged, or nodes its kernels refuse) names the file. */
export async function loadArtifactFile(path: string, bytes: Uint8Array): Promise<Model> {
  try {
    return await loadModel(bytes);
  } catch (e) {
    throw namingFile(path, e);
  }
}

/** parseArtifact on an artifact file (read bounded); a damaged artifact's error names the file. */
export function parseArtifactFile(path: string): ReturnType<typeof parseArtifact> {
  const bytes = readInputFile(path);
  try {
    return parseArtifact(bytes);
  } catch (e) {
    throw namingFile(path, e);
  }
}

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
    throw namingFile(path, e);
  }
}
