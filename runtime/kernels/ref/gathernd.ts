// Reference GatherND (opset 11, 12+ with batch_dims; any data dtype, int64 indices): each
// index tuple (the last indices dim) picks a slice of data within its batch; negative
// indices wrap, read and bounds-checked on every run.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const gatherNDRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'GatherND', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const b = c.int('batch_dims', 0);
    const r = x.shape.length, q = idx.shape.length;
    if (r < 1 || q < 1 || b < 0 || b >= Math.min(r, q)) c.fail(`batch_dims ${b} is out of range for data rank ${r} and indices rank ${q}`);
    const k = idx.shape[q - 1]!;
    if (k < 1 || k > r - b) c.fail(`index tuples of ${k} do not fit data rank ${r} after batch_dims ${b}`);
    for (let i = 0; i < b; i++) if (x.shape[i] !== idx.shape[i]) c.fail(`batch dimension ${i} differs: data ${x.shape[i]}, indices ${idx.shape[i]}`);
    c.shapeIs(y, [...idx.shape.slice(0, -1), ...x.shape.slice(b + k)], 'output');
    const batches = x.shape.slice(0, b).reduce((p, d) => p * d, 1);
    const tuplesPerBatch = idx.shape.slice(b, -1).reduce((p, d) => p * d, 1);
    const slice = x.shape.slice(b + k).reduce((p, d) => p * d, 1);
    const batchSize = x.shape.slice(b).reduce((p, d) => p * d, 1);
    // Element stride of each indexed dim b..b+k-1.
    const strides = x.shape.slice(b, b + k).map((_, j) => x.shape.slice(b + j + 1).reduce((p, d) => p * d, 1));
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      let o = 0;
      for (let bi = 0; bi < batches; bi++) {
        for (let t = 0; t < tuplesPerBatch; t++) {
          const at = (bi * tuplesPerBatch + t) * k;
          let src = bi * batchSize;
          for (let j = 0; j < k; j++) {
            const dim = x.shape[b + j]!;
            let v = readInt(idx, at + j);
            if (v < 0) v += dim;
            if (v < 0 || v >= dim) c.fail(`index ${readInt(idx, at + j)} out of range [${-dim}, ${dim}) for data dim ${b + j}`);
            src += v * strides[j]!;
          }
          for (let e = 0; e < slice; e++) yd[o++] = xd[src + e];
        }
      }
    };
  },
});
