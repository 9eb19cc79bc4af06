// js Transpose (any dtype): size-1 axes dropped and input axes that stay neighbours in the
// output merged, then the output is written in runs along its last axis; each run's start in
// the input comes from a table built at prepare time, so the inner loop is a strided (often
// contiguous) copy with no index arithmetic.

import type { Kernel } from '../kernel.js';
import type { Cells } from '../common/define.js';
import { transposePerm } from '../common/transpose-perm.js';
import { defineKernel } from '../common/define.js';
import { rowMajorStrides } from '../common/broadcast.js';
import { MIN_RUN, runCopier } from '../common/run-copy.js';

/** Output runs: `rows` runs of `len` elements, run r reads input from rowStart[r] with `stride`. */
export interface TransposePlan {
  readonly rows: number;
  readonly len: number;
  readonly stride: number;
  readonly rowStart: Int32Array;
}

export function planTranspose(shape: readonly number[], perm: readonly number[]): TransposePlan {
  const inStrides = rowMajorStrides(shape);
  // Output axes as (dim, input stride), size-1 axes dropped.
  const dims: number[] = [], strides: number[] = [];
  for (const p of perm) if (shape[p] !== 1) { dims.push(shape[p]!); strides.push(inStrides[p]!); }
  // Merge output axis i with i+1 when the input walks them as one.
  for (let i = dims.length - 2; i >= 0; i--) {
    if (strides[i] === strides[i + 1]! * dims[i + 1]!) {
      dims[i] = dims[i]! * dims[i + 1]!;
      strides[i] = strides[i + 1]!;
      dims.splice(i + 1, 1); strides.splice(i + 1, 1);
    }
  }
  const n = shape.reduce((p, d) => p * d, 1);
  const last = dims.length - 1;
  const len = last < 0 ? Math.min(n, 1) : dims[last]!;
  const stride = last < 0 ? 1 : strides[last]!;
  const rows = len === 0 ? 0 : n / len;
  const rowStart = new Int32Array(rows);
  const outer = dims.slice(0, Math.max(last, 0));
  const counter = new Array<number>(outer.length).fill(0);
  let src = 0;
  for (let r = 0; r < rows; r++) {
    rowStart[r] = src;
    for (let d = outer.length - 1; d >= 0; d--) {
      src += strides[d]!;
      if (++counter[d]! < outer[d]!) break;
      src -= strides[d]! * outer[d]!;
      counter[d] = 0;
    }
  }
  return { rows, len, stride, rowStart };
}

export const transposeJs: Kernel = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Transpose', target: 'js', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, [x.dtype]);
    const perm = transposePerm(c, x, y);
    const { rows, len, stride, rowStart } = planTranspose(x.shape, perm);
    const xd = x.data as Cells & { subarray(b: number, e: number): Cells }, yd = y.data as Cells & { set(s: Cells, o: number): void };
    if (rows === 1 && stride === 1) { const whole = xd.subarray(0, len); return () => yd.set(whole, 0); }
    if (stride === 1 && len >= MIN_RUN) {
      const copy = runCopier(x, y);
      return () => { for (let r = 0, o = 0; r < rows; r++, o += len) copy(rowStart[r]!, o, len); };
    }
    if (stride === 1) {
      return () => { for (let r = 0, o = 0; r < rows; r++, o += len) { const s = rowStart[r]!; for (let j = 0; j < len; j++) yd[o + j] = xd[s + j]; } };
    }
    return () => { for (let r = 0, o = 0; r < rows; r++, o += len) { let s = rowStart[r]!; for (let j = 0; j < len; j++, s += stride) yd[o + j] = xd[s]; } };
  },
});
