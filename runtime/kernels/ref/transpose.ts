// Reference Transpose (any dtype): perm defaults to reversing the axes. The output is walked
// in order with an odometer over precomputed input strides.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { transposePerm } from '../common/transpose-perm.js';
import { rowMajorStrides } from '../common/broadcast.js';

export const transposeRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Transpose', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    const perm = transposePerm(c, x, y);
    const inStrides = rowMajorStrides(x.shape);
    const strides = Int32Array.from(perm.map((p) => inStrides[p]!));
    const dims = Int32Array.from(y.shape);
    const counter = new Int32Array(rank);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      counter.fill(0);
      let src = 0;
      for (let i = 0; i < n; i++) {
        yd[i] = xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          src += strides[d]!;
          if (++counter[d]! < dims[d]!) break;
          src -= strides[d]! * dims[d]!;
          counter[d] = 0;
        }
      }
    };
  },
});
