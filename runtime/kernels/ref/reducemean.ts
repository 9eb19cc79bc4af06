// Reference ReduceMean: axes from the attribute (opset < 18) or the optional second input
// (opset 18, read on every run), keepdims, noop_with_empty_axes. Accumulates in doubles.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';

export const reduceMeanRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'ReduceMean', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const axesIn = c.optionalInput(1, INT_INDEX_TYPES);
    const y = c.output(0, ['float32']);
    const rank = x.shape.length;
    const keepdims = c.int('keepdims', 1) !== 0;
    const noopEmpty = c.int('noop_with_empty_axes', 0) !== 0;
    const attrAxes = c.ints('axes');
    const n = x.shape.reduce((p, d) => p * d, 1);
    const m = y.shape.reduce((p, d) => p * d, 1);
    const dims = Int32Array.from(x.shape);
    const reduced = new Uint8Array(rank);
    const outStrides = new Int32Array(rank);
    const counter = new Int32Array(rank);
    const acc = new Float64Array(m);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    let count = 1;

    // Marks the reduced axes and derives output strides; returns false for a no-op.
    const plan = (): boolean => {
      reduced.fill(0);
      const k = axesIn !== undefined ? axesIn.shape.reduce((p, d) => p * d, 1) : attrAxes?.length ?? 0;
      if (k === 0) {
        if (noopEmpty) return false;
        reduced.fill(1);
      }
      for (let i = 0; i < k; i++) {
        const a = axesIn !== undefined ? readInt(axesIn, i) : attrAxes![i]!;
        reduced[c.axis(a, rank, 'axes entry')] = 1;
      }
      let stride = 1;
      count = 1;
      let outRank = 0;
      for (let d = rank - 1; d >= 0; d--) {
        if (reduced[d]) { outStrides[d] = 0; count *= dims[d]!; } else { outStrides[d] = stride; stride *= dims[d]!; }
      }
      for (let d = 0; d < rank; d++) if (!reduced[d] || keepdims) outRank++;
      if (stride !== m) c.fail(`output shape [${y.shape.join(',')}] disagrees with the reduced axes`);
      if (y.shape.length !== outRank) c.fail(`output rank ${y.shape.length}, expected ${outRank}`);
      return true;
    };
    plan();
    return () => {
      if (!plan()) { yd.set(xd.subarray(0, n)); return; }
      acc.fill(0);
      counter.fill(0);
      let o = 0;
      for (let i = 0; i < n; i++) {
        acc[o] += xd[i]!;
        for (let d = rank - 1; d >= 0; d--) {
          o += outStrides[d]!;
          if (++counter[d]! < dims[d]!) break;
          o -= outStrides[d]! * dims[d]!;
          counter[d] = 0;
        }
      }
      for (let j = 0; j < m; j++) yd[j] = acc[j]! / count;
    };
  },
});
