// Calibration and evaluation data: one .npy whose first axis is the sample axis, or a folder of
// per-sample .npy / ONNX TensorProto .pb files (file name order), split into one feed per sample.

import { closeSync, opendirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/graph.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { SpcError } from '../errors.js';
import { echoJoin, echoList } from '../echo.js';
import { NPY_BYTES, NPY_MAX_HEADER, parseNpyHeader, typedFromBuffer } from '../io/npy.js';
import { openRegular, READ_CAPS, readAt, readBounded } from '../io/read.js';
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
  /** Use the first `count` samples only: no more is read. */
  readonly count?: number;
  /** What the flag is called in errors, e.g. '--calib'. */
  readonly flag?: string;
}

/** Calibration samples spc compile reads when --calib-count is not given (prune statistics use at most 8192 rows). */
export const DEFAULT_CALIB_SAMPLES = 1024;

/** Entries a data folder may list (names only; the files themselves are read up to the sample count). */
export const MAX_FOLDER_ENTRIES = 1_000_000;

/**
 * Reads samples for `graph`'s single input from a .npy file (sample axis first: [S, …] where
 * the input is [1, …] or [S·b, …] in batches of the input's batch b; or exactly the input's
 * shape for one sample) or a folder of .npy / .pb files, one sample each. Only the first
 * `count` samples are read: a .npy's header and the rows they need, a folder's files in name
 * order until there are enough.
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
  const count = opts.count ?? Infinity;
  if (count !== Infinity && (!Number.isInteger(count) || count < 1)) throw new SpcError(`${flag}: sample count must be a positive integer, got ${count}`);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new SpcError(`${flag} ${path}: no such file or folder`);
  }
  const read = st.isDirectory() ? readFolder(path, shape, v.dtype, flag, count) : readNpySamples(path, shape, v.dtype, `${flag} ${path}`, count);
  if (read.tensors.length === 0) throw new SpcError(`${flag} ${path}: no samples`);
  const used = read.tensors.slice(0, count);
  return { samples: used.map((t) => ({ [name]: t })), source: `${basename(path)} (${used.length} of ${read.total} samples)` };
}

/** Samples read and how many the source holds in all (a folder read only in part says so). */
interface Read { readonly tensors: SampleTensor[]; readonly total: number | string }

/** The first `count` samples of a .npy file: its header, then only the rows they take. */
function readNpySamples(file: string, shape: readonly number[], dtype: DType, where: string, count: number): Read {
  const f = openRegular(file, where);
  try {
    const head = readAt(f, 0, Math.min(f.size, NPY_MAX_HEADER + 12), where);
    const h = parseNpyHeader(head, file);
    const rowElements = h.shape.slice(1).reduce((a, d) => a * d, 1);
    const b = shape[0] ?? 1;
    const rows = h.shape.length === 0 ? 1 : h.shape[0]!;
    // Rows beyond the samples asked for are neither read nor allocated (a whole batch per sample).
    const keep = count === Infinity || h.shape.length === 0 || rows % b !== 0 ? rows : Math.min(rows, count * b);
    const elements = keep * (h.shape.length === 0 ? 1 : rowElements);
    const need = elements * NPY_BYTES[h.dtype];
    if (need > READ_CAPS.tensorFile) throw new SpcError(`${where}: the samples asked for take ${need} bytes, more than the ${READ_CAPS.tensorFile} bytes spc reads for this input`);
    const bytes = readAt(f, h.dataStart, need, where);
    if (bytes.length < need) throw new SpcError(`${file}: not a valid .npy file: truncated data: shape (${echoJoin(h.shape, ', ')}) needs ${rows * rowElements * NPY_BYTES[h.dtype]} bytes, file has ${f.size - h.dataStart}`);
    const t = { dtype: h.dtype, shape: h.shape.length === 0 ? [] : [keep, ...h.shape.slice(1)], data: typedFromBuffer(h.dtype, bytes.buffer as ArrayBuffer, elements) };
    const tensors = splitBatch(t, shape, dtype, where);
    return { tensors, total: h.shape.length === 0 ? 1 : rows / b };
  } finally {
    closeSync(f.fd);
  }
}

function readPb(file: string): SampleTensor {
  return parseTensorProto(readBounded(file, READ_CAPS.tensorFile), file);
}

function readFolder(dir: string, shape: readonly number[], dtype: DType, flag: string, count: number): Read {
  const files: string[] = [];
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) {
      if (!['.npy', '.pb'].includes(extname(e.name))) continue;
      if (files.length === MAX_FOLDER_ENTRIES) throw new SpcError(`${flag} ${dir}: more than ${MAX_FOLDER_ENTRIES} .npy / .pb files`);
      files.push(e.name);
    }
  } finally {
    d.closeSync();
  }
  files.sort();
  if (files.length === 0) throw new SpcError(`${flag} ${dir}: the folder holds no .npy or .pb files`);
  const tensors: SampleTensor[] = [];
  let opened = 0;
  for (const f of files) {
    if (tensors.length >= count) break;
    const file = join(dir, f);
    opened++;
    if (extname(f) === '.pb') tensors.push(...splitBatch(readPb(file), shape, dtype, `${flag} ${file}`));
    else tensors.push(...readNpySamples(file, shape, dtype, `${flag} ${file}`, count - tensors.length).tensors);
  }
  // Files left unread may hold several samples each: the total is then only known to be at least this.
  return { tensors, total: opened === files.length ? tensors.length : `≥${tensors.length + files.length - opened}` };
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
    throw new SpcError(`${where}: shape ${echoList(t.shape, ', ')} does not fit the model's input ${echoList(shape, ', ')} (expected [S·${b}${rest.map((d) => `, ${d}`).join('')}], or S·${b} rows of ${perSample} values)`);
  }
  const per = b * perSample;
  const out: SampleTensor[] = [];
  for (let s = 0; s < rows / b; s++) out.push({ dtype, shape, data: t.data.subarray(s * per, (s + 1) * per) as TypedArray });
  return out;
}
