// Reference MaxPool (any spatial rank; kernel_shape, pads, strides, dilations, ceil_mode,
// auto_pad) with the optional Indices output (int64, storage_order 0 row-major or 1 column-major).

import { defineKernel } from '../common/define.js';
import { planPool } from '../common/pool-plan.js';

const TYPES = ['float32', 'float64', 'int8', 'uint8', 'int32'] as const;

export const maxPoolRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'MaxPool', target: 'ref', dtypes: TYPES,
  prepare(c) {
    const x = c.input(0, TYPES);
    const y = c.output(0, [x.dtype]);
    const indices = c.optionalOutput(1, ['int64']);
    const { geometry: g, planes, inSize, outSize, taps, tapTable } = planPool(c, x, y);
    const table = tapTable();
    if (indices !== undefined) c.shapeIs(indices, y.shape, 'indices output');
    const columnMajor = c.int('storage_order', 0) !== 0;
    // Spatial offset → the index reported in Indices (row-major offset, or column-major).
    const reported = new Float64Array(inSize);
    for (let off = 0; off < inSize; off++) {
      if (!columnMajor) { reported[off] = off; continue; }
      let rem = off, idx = 0, scale = 1;
      const coords = g.inSpatial.map(() => 0);
      for (let i = g.inSpatial.length - 1; i >= 0; i--) { coords[i] = rem % g.inSpatial[i]!; rem = Math.floor(rem / g.inSpatial[i]!); }
      for (let i = 0; i < g.inSpatial.length; i++) { idx += coords[i]! * scale; scale *= g.inSpatial[i]!; }
      reported[off] = idx;
    }
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const id = indices?.data as BigInt64Array | undefined;
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        const xBase = pl * inSize;
        for (let p = 0; p < outSize; p++) {
          let best = -Infinity, bestOff = -1;
          for (let t = 0; t < taps; t++) {
            const off = table[p * taps + t]!;
            if (off >= 0 && xd[xBase + off]! > best) { best = xd[xBase + off]!; bestOff = off; }
          }
          yd[pl * outSize + p] = best;
          if (id !== undefined) id[pl * outSize + p] = BigInt(bestOff < 0 ? -1 : xBase + reported[bestOff]!);
        }
      }
    };
  },
});
