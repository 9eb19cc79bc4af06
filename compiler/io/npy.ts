// Reading and writing NumPy .npy files (format 1.0–3.0 read, 1.0 written), C order only.

import type { DType, TypedArray } from '../../runtime/tensor.js';
import { DTYPE_BYTES, viewArray } from '../../runtime/tensor.js';
import { SpcError } from '../errors.js';
import { echoJoin, echoText } from '../echo.js';

/** The longest header spc reads (NumPy writes under 100 bytes; format 2.0 allows 4 GiB). */
export const NPY_MAX_HEADER = 2 ** 20;

export interface NpyArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TO_DTYPE: Record<string, DType> = {
  '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '<u2': 'uint16', '|b1': 'bool', '<f2': 'float16', '<u4': 'uint32', '<u8': 'uint64',
};
const DTYPE_TO_DESCR: Record<DType, string> = Object.fromEntries(
  Object.entries(DESCR_TO_DTYPE).map(([k, v]) => [v, k]),
) as Record<DType, string>;

const BYTES = DTYPE_BYTES;

/** What a .npy header says: the dtype, the shape and where the data starts. */
export interface NpyHeader {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly dataStart: number;
}

/** Bytes of one element of each dtype. */
export const NPY_BYTES: Readonly<Record<DType, number>> = BYTES;

/** Parses the header at the start of `bytes` (the whole file or its first bytes); `source` names the file in errors. */
export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  const fail = (why: string): never => { throw new SpcError(`${source}: not a valid .npy file: ${why}`); };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('missing \\x93NUMPY magic');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) { headerLen = dv.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = dv.getUint32(8, true); headerStart = 12;
  } else return fail(`unsupported format version ${major}`);
  if (headerLen > NPY_MAX_HEADER) fail(`header of ${headerLen} bytes (at most ${NPY_MAX_HEADER})`);
  if (headerStart + headerLen > bytes.length) fail('truncated header');
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail(`unreadable header ${JSON.stringify(echoText(header.trim()))}`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save with C order)');
  const dtype = DESCR_TO_DTYPE[descr === '<b1' ? '|b1' : descr];
  if (!dtype) return fail(`unsupported dtype '${echoText(descr)}' (supported: ${Object.keys(DESCR_TO_DTYPE).join(', ')})`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`bad shape (${echoText(shapeText)})`);
  return { dtype, shape, dataStart: headerStart + headerLen };
}

/** Parses .npy bytes; `source` names the file in errors. */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const { dtype, shape, dataStart } = parseNpyHeader(bytes, source);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * BYTES[dtype];
  if (bytes.length - dataStart < need) throw new SpcError(`${source}: not a valid .npy file: truncated data: shape (${echoJoin(shape, ', ')}) needs ${need} bytes, file has ${bytes.length - dataStart}`);
  // Copy so the typed array is aligned and owns its memory. Uint8Array's slice copies; a Node
  // Buffer's slice is a view into a shared pool, so the copy is made by Uint8Array's own method.
  const buf = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + need).buffer;
  return { dtype, shape, data: typedFromBuffer(dtype, buf, count) };
}

export function typedFromBuffer(dtype: DType, buf: ArrayBuffer, count: number): TypedArray {
  return viewArray(dtype, buf, 0, count);
}

/** Serializes an array as .npy format 1.0. */
export function formatNpy(a: NpyArray): Uint8Array {
  const shapeText = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${DTYPE_TO_DESCR[a.dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, header ending in '\n'.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const data = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Uint8Array(10 + headerBytes.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(data, 10 + headerBytes.length);
  return out;
}
