// js Gather (any data dtype, int64 or int32 indices): each index selects a block of `inner`
// contiguous elements per outer row, copied by a monomorphic loop (a subarray view per block
// would allocate on every run: run() allocates nothing, steady-state.test); indices are read and
// bounds-checked (negative ones wrap once) on every run, as the ref kernel does.
//
//   Y[o, j, t] = X[o, idx[j] (+ len if < 0), t]     o < outer, j < k, t < inner

import { defineKernel, INT_INDEX_TYPES } from '../common/define.js';

export const gatherJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Gather', target: 'js', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    c.shapeIs(y, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], 'output');
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const len = x.shape[axis]!;
    const k = idx.shape.reduce((p, d) => p * d, 1);
    // Same element family on both sides (checked above): the casts only satisfy the compiler.
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const id = idx.data as ArrayLike<number | bigint>;
    return () => {
      for (let j = 0; j < k; j++) {
        const raw = Number(id[j]!);
        const i = raw < 0 ? raw + len : raw;
        if (!(i >= 0 && i < len)) c.fail(`index ${raw} at position ${j} out of range [${-len}, ${len})`);
        for (let o = 0; o < outer; o++) {
          const src = (o * len + i) * inner, dst = (o * k + j) * inner;
          for (let t = 0; t < inner; t++) yd[dst + t] = xd[src + t]!;
        }
      }
    };
  },
});
