// Reference Slice (opset 10+): starts/ends/axes/steps inputs read on every run, negative
// steps, clamping as ONNX specifies; the result must match the static output shape.

import { defineKernel } from '../common/define.js';
import { sliceInputs, sliceWindow } from '../common/slice-window.js';
import type { Cells } from '../common/define.js';
import { rowMajorStrides } from '../common/broadcast.js';

export const sliceRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Slice', target: 'ref', dtypes: 'any',
  prepare(c) {
    const window = sliceInputs(c);
    const { x, y } = window;
    const rank = x.shape.length;
    const inStrides = rowMajorStrides(x.shape);
    const first = new Float64Array(rank); // per axis: first index read
    const step = new Float64Array(rank);
    const dims = Int32Array.from(y.shape);
    const counter = new Int32Array(rank);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    const plan = (): void => sliceWindow(c, window, first, step);
    plan();
    return () => {
      plan();
      let src = 0;
      for (let d = 0; d < rank; d++) src += first[d]! * inStrides[d]!;
      counter.fill(0);
      for (let i = 0; i < n; i++) {
        yd[i] = xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          const jump = step[d]! * inStrides[d]!;
          src += jump;
          if (++counter[d]! < dims[d]!) break;
          src -= jump * dims[d]!;
          counter[d] = 0;
        }
      }
    };
  },
});
