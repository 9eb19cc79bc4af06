// js Slice (any dtype): starts/ends/axes/steps are re-read on every run as the ref does (they
// may be computed tensors), but the walk is by output rows: the innermost axis is one strided
// run (a contiguous copy when its step is 1) and the odometer only moves between rows.

import type { Kernel } from '../kernel.js';
import type { Cells } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { sliceInputs, sliceWindow } from '../common/slice-window.js';
import { rowMajorStrides } from '../common/broadcast.js';
import { MIN_RUN, runCopier } from '../common/run-copy.js';

export const sliceJs: Kernel = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Slice', target: 'js', dtypes: 'any',
  prepare(c) {
    const window = sliceInputs(c);
    const { x, y } = window;
    const rank = x.shape.length;
    const inStrides = rowMajorStrides(x.shape);
    const first = new Float64Array(rank);
    const step = new Float64Array(rank);
    /** Per axis, the input offset one output step moves by. */
    const jump = new Float64Array(rank);
    const dims = Int32Array.from(y.shape);
    const counter = new Int32Array(rank);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const len = rank === 0 ? 1 : dims[rank - 1]!;
    const rows = len === 0 ? 0 : n / len;
    const xd = x.data as Cells, yd = y.data as Cells;
    const copy = runCopier(x, y);
    const plan = (): void => {
      sliceWindow(c, window, first, step);
      for (let d = 0; d < rank; d++) jump[d] = step[d]! * inStrides[d]!;
    };
    plan();
    return () => {
      plan();
      let src = 0;
      for (let d = 0; d < rank; d++) src += first[d]! * inStrides[d]!;
      counter.fill(0);
      const inner = rank === 0 ? 1 : jump[rank - 1]!;
      for (let r = 0, o = 0; r < rows; r++, o += len) {
        if (inner === 1 && len >= MIN_RUN) copy(src, o, len);
        else if (inner === 1) for (let j = 0; j < len; j++) yd[o + j] = xd[src + j];
        else for (let j = 0, s = src; j < len; j++, s += inner) yd[o + j] = xd[s];
        for (let d = rank - 2; d >= 0; d--) {
          src += jump[d]!;
          if (++counter[d]! < dims[d]!) break;
          src -= jump[d]! * dims[d]!;
          counter[d] = 0;
        }
      }
    };
  },
});
