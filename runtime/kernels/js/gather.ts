// js Gather (any data dtype, int64 or int32 indices): each index selects a block of `inner`
// contiguous elements per outer row, copied by a monomorphic loop (a subarray view per block
// would allocate on every run: run() allocates nothing, steady-state.test); indices are read and
// bounds-checked (negative ones wrap once) on every run, as the ref kernel does.
//
//   Y[o, j, t] = X[o, idx[j] (+ len if < 0), t]     o < outer, j < k, t < inner

import { defineKernel } from '../common/define.js';
import { gatherPlan } from '../common/gather-plan.js';

export const gatherJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Gather', target: 'js', dtypes: 'any',
  prepare(c) {
    const { x, idx, y, outer, inner, len, k } = gatherPlan(c);
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
