// Calibration and evaluation data: one .npy whose first axis is the sample axis, or a folder of
// per-sample .npy / ONNX TensorProto .pb files (file name order), split into one feed per sample.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/graph.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { SpcError } from '../errors.js';
import { parseNpy } from '../io/npy.js';
import { parseTensorProto } from '../io/tensor-proto.js';

/** One input tensor of one sample, shaped as the model's (pinned) input. */
export interface SampleTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/** A feed per sample, for a single-input model: input name → tensor. */
export interface CalibrationSet {
  readonly samples: readonly Readonly<Record<string, SampleTensor>>[];
  /** For reports and the recipe: the base name of the file or folder and the sample count (no directories). */
  readonly source: string;
}

export interface ReadDataOptions {
  /** Use the first `count` samples only. */
  readonly count?: number;
  /** What the flag is called in errors, e.g. '--calib'. */
  readonly flag?: string;
}

/**
 * Reads samples for `graph`'s single input from a .npy file (sample axis first: [S, …] where
 * the input is [1, …] or [S·b, …] in batches of the input's batch b; or exactly the input's
 * shape for one sample) or a folder of .npy / .pb files, one sample each.
 */
export function readSamples(path: string, graph: Graph, opts: ReadDataOptions = {}): CalibrationSet {
  const flag = opts.flag ?? '--calib';
  if (graph.inputs.length !== 1) {
    throw new SpcError(`${flag}: the model has ${graph.inputs.length} inputs (${graph.inputs.join(', ')}); calibration data is supported for single-input models`);
  }
  const name = graph.inputs[0]!;
  const v = graph.values.get(name)!;
  if (!isStatic(v.shape)) throw new SpcError(`${flag}: input '${name}' has a dynamic shape; pin it with --input-shape`);
  const shape = v.shape;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new SpcError(`${flag} ${path}: no such file or folder`);
  }
  const tensors = st.isDirectory() ? readFolder(path, shape, v.dtype, flag) : splitBatch(readNpyFile(path), shape, v.dtype, `${flag} ${path}`);
  if (tensors.length === 0) throw new SpcError(`${flag} ${path}: no samples`);
  const count = opts.count ?? tensors.length;
  if (!Number.isInteger(count) || count < 1) throw new SpcError(`${flag}: sample count must be a positive integer, got ${count}`);
  const used = tensors.slice(0, count);
  return { samples: used.map((t) => ({ [name]: t })), source: `${basename(path)} (${used.length} of ${tensors.length} samples)` };
}

function readNpyFile(file: string): SampleTensor {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch {
    throw new SpcError(`${file}: cannot be read`);
  }
  return parseNpy(bytes, file);
}

function readPb(file: string): SampleTensor {
  return parseTensorProto(new Uint8Array(readFileSync(file)), file);
}

function readFolder(dir: string, shape: readonly number[], dtype: DType, flag: string): SampleTensor[] {
  const files = readdirSync(dir).filter((f) => ['.npy', '.pb'].includes(extname(f))).sort();
  if (files.length === 0) throw new SpcError(`${flag} ${dir}: the folder holds no .npy or .pb files`);
  return files.flatMap((f) => {
    const file = join(dir, f);
    const t = extname(f) === '.pb' ? readPb(file) : readNpyFile(file);
    return splitBatch(t, shape, dtype, `${flag} ${file}`);
  });
}

/**
 * Splits [S·b, …] into S tensors of the input's `shape` = [b, rest…]. The per-sample dims may
 * differ from rest when the element counts agree (images [S, 1, 8, 8] for an MLP taking [1, 64]):
 * the data is read in C order, as `x.reshape(S, 64)` would.
 */
function splitBatch(t: SampleTensor, shape: readonly number[], dtype: DType, where: string): SampleTensor[] {
  if (t.dtype !== dtype) throw new SpcError(`${where}: ${t.dtype} data, the model's input is ${dtype}`);
  const rest = shape.slice(1), b = shape[0] ?? 1;
  const perSample = rest.reduce((a, d) => a * d, 1);
  const total = t.shape.reduce((a, d) => a * d, 1);
  const rows = t.shape.length === 0 ? 1 : t.shape[0]!;
  const fits = t.shape.length >= 1 && total === rows * perSample && rows % b === 0 && rows > 0;
  if (!fits) {
    throw new SpcError(`${where}: shape [${t.shape.join(', ')}] does not fit the model's input [${shape.join(', ')}] (expected [S·${b}${rest.map((d) => `, ${d}`).join('')}], or S·${b} rows of ${perSample} values)`);
  }
  const per = b * perSample;
  const out: SampleTensor[] = [];
  for (let s = 0; s < rows / b; s++) out.push({ dtype, shape, data: t.data.subarray(s * per, (s + 1) * per) as TypedArray });
  return out;
}
