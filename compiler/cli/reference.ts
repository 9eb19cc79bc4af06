// The dense reference model of `spc eval` and `spc bench`: the original ONNX compiled in memory
// with default settings (no pruning), its inputs pinned to the artifact's shapes.

import { existsSync } from 'node:fs';
import type { Graph } from '../ir/graph.js';
import { compileFile } from '../compile.js';
import { SpcError } from '../errors.js';

/** `path` compiled dense with `inputs`' shapes (artifactInputGraph of the artifact); errors name --reference. */
export function compileReference(path: string, inputs: Graph): Uint8Array {
  if (!existsSync(path)) throw new SpcError(`--reference ${path}: no such file`);
  const inputShapes: Record<string, number[]> = {};
  for (const name of inputs.inputs) inputShapes[name] = [...(inputs.values.get(name)!.shape as number[])];
  try {
    return compileFile(path, { inputShapes }).artifact;
  } catch (e) {
    // Compile errors already start with the file's name.
    if (e instanceof SpcError) throw new SpcError(`--reference ${e.message.startsWith(`${path}: `) ? e.message : `${path}: ${e.message}`}`);
    throw e;
  }
}
