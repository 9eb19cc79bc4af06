// Reference ScatterND (opset 11; 16+ reduction add/mul; 18+ max/min; any dtype, int64
// indices): a copy of data with each index tuple's slice replaced by (or combined with) its
// update, in index order; negative indices wrap, read and bounds-checked on every run.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { scatterCombine } from '../common/scatter.js';

export const scatterNDRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'ScatterND', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const u = c.input(2, [x.dtype]);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    const r = x.shape.length, q = idx.shape.length;
    const k = idx.shape[q - 1]!;
    if (q < 1 || k < 1 || k > r) c.fail(`indices [${idx.shape.join(',')}] do not index data of rank ${r}`);
    c.shapeIs(u, [...idx.shape.slice(0, -1), ...x.shape.slice(k)], 'updates');
    const combine = scatterCombine(c, x);
    const tuples = idx.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    const slice = x.shape.slice(k).reduce((p, d) => p * d, 1);
    const strides = x.shape.slice(0, k).map((_, j) => x.shape.slice(j + 1).reduce((p, d) => p * d, 1));
    const n = x.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, ud = u.data as Cells, yd = y.data as Cells;
    return () => {
      for (let i = 0; i < n; i++) yd[i] = xd[i];
      for (let t = 0; t < tuples; t++) {
        let dst = 0;
        for (let j = 0; j < k; j++) {
          const dim = x.shape[j]!;
          let v = readInt(idx, t * k + j);
          if (v < 0) v += dim;
          if (v < 0 || v >= dim) c.fail(`index ${readInt(idx, t * k + j)} out of range [${-dim}, ${dim}) for data dim ${j}`);
          dst += v * strides[j]!;
        }
        for (let e = 0; e < slice; e++) yd[dst + e] = combine(yd[dst + e], ud[t * slice + e]);
      }
    };
  },
});
