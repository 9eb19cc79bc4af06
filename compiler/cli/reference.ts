// The dense reference model, compiled in memory, of `spc eval` / `spc bench --reference`: the
// original ONNX without pruning, pinned to the artifact's input shapes and fixed input values
// (options/reference.ts says what else carries over).

import { existsSync } from 'node:fs';
import type { CompileOptions } from '../compile.js';
import { compileFile } from '../compile.js';
import { INPUT_VALUE_KEY, inputValueRecord } from '../options/records.js';
import { resolveOptions } from '../options/settings.js';
import { referenceOptions } from '../options/reference.js';
import { artifactInputGraph } from '../eval/evaluate.js';
import { SpcError } from '../errors.js';
import { parseArtifact } from '../../runtime/loader/load.js';

/**
 * `path` compiled dense as the reference of `artifact` (`spc eval` / `spc bench`): pinned to the
 * artifact's input shapes, with `inputValues` (--input-value) fixed. The artifact's provenance
 * names the inputs it was compiled with fixed: each must be given again, with the same value
 * (dtype, shape and digest), and no other. Errors name --reference or --input-value.
 */
export function compileReference(path: string, artifact: Uint8Array, inputValues: CompileOptions['inputValues'] = {}): Uint8Array {
  if (!existsSync(path)) throw new SpcError(`--reference ${path}: no such file`);
  const inputs = artifactInputGraph(artifact);
  const fixed = new Map(parseArtifact(artifact).provenance.options
    .filter(([key]) => key.startsWith(INPUT_VALUE_KEY)).map(([key, record]) => [key.slice(INPUT_VALUE_KEY.length), record]));
  for (const [name, record] of fixed) {
    const given = inputValues[name];
    if (given === undefined) {
      throw new SpcError(`--reference ${path}: the artifact was compiled with input '${name}' fixed to ${record}; give the same tensor with --input-value ${name}=<file>`);
    }
    if (inputValueRecord(given) !== record) throw new SpcError(`--input-value ${name}: ${inputValueRecord(given)}, but the artifact was compiled with ${record}`);
  }
  for (const name of Object.keys(inputValues)) {
    if (!fixed.has(name)) throw new SpcError(`--input-value ${name}: the artifact was not compiled with input '${name}' fixed${fixed.size > 0 ? ` (fixed: ${[...fixed.keys()].join(', ')})` : ''}`);
  }
  const inputShapes: Record<string, number[]> = {};
  for (const name of inputs.inputs) inputShapes[name] = [...(inputs.values.get(name)!.shape as number[])];
  try {
    return compileFile(path, referenceOptions(resolveOptions({ inputShapes, ...(fixed.size > 0 ? { inputValues } : {}) }))).artifact;
  } catch (e) {
    // Compile errors already start with the file's name.
    if (e instanceof SpcError) throw new SpcError(`--reference ${e.message.startsWith(`${path}: `) ? e.message : `${path}: ${e.message}`}`);
    throw e;
  }
}
