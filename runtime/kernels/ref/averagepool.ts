// Reference AveragePool (any spatial rank; pads, strides, dilations, ceil_mode, auto_pad,
// count_include_pad). Windows overhanging the end pad under ceil_mode count only real and pad cells.

import { defineKernel } from '../common/define.js';
import { paddedWindowCounts, planPool } from '../common/pool-plan.js';

export const averagePoolRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'AveragePool', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    const { geometry, planes, inSize, outSize, taps, tapTable } = planPool(c, x, y);
    const table = tapTable();
    const includePad = c.int('count_include_pad', 0) !== 0;
    const padded = paddedWindowCounts(geometry);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        const xBase = pl * inSize;
        for (let p = 0; p < outSize; p++) {
          let sum = 0, count = 0;
          for (let t = 0; t < taps; t++) {
            const off = table[p * taps + t]!;
            if (off >= 0) { sum += xd[xBase + off]!; count++; }
          }
          yd[pl * outSize + p] = sum / (includePad ? padded[p]! : count);
        }
      }
    };
  },
});
