// Class labels for evaluation: a .npy of integers, one per output row ([N] or [N, 1]); float
// files are accepted when every value is a whole number.

import { READ_CAPS, readBounded } from '../io/read.js';
import { SpcError } from '../errors.js';
import { parseNpy } from '../io/npy.js';

export function readLabels(path: string, flag = '--labels'): Int32Array {
  const bytes = readBounded(path, READ_CAPS.tensorFile, `${flag} ${path}`);
  const a = parseNpy(bytes, path);
  const n = a.shape[0] ?? 1;
  if (a.shape.length > 2 || (a.shape.length === 2 && a.shape[1] !== 1) || a.shape.length === 0) {
    throw new SpcError(`${flag} ${path}: shape [${a.shape.join(', ')}], expected one label per sample: [N] or [N, 1]`);
  }
  if (a.dtype === 'bool') throw new SpcError(`${flag} ${path}: bool data, expected integer class labels`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(a.data[i]!);
    if (!Number.isInteger(v)) throw new SpcError(`${flag} ${path}: label ${i} is ${v}, not an integer class`);
    if (v < 0 || v > 0x7fffffff) throw new SpcError(`${flag} ${path}: label ${i} is ${v}, not a class index`);
    out[i] = v;
  }
  return out;
}
