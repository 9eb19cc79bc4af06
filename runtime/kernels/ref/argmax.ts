// Reference ArgMax / ArgMin (every numeric dtype): the index of the first extreme along `axis`
// (the last with select_last_index, opset 12+), int64, keepdims or not.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { argPlan } from '../common/reduce.js';
import { NUMERIC_TYPES, reader } from '../common/numeric-cells.js';

function argRef(op: 'ArgMax' | 'ArgMin'): Kernel {
  return defineKernel({
    dtype: 'any', tile: '1x1', op, target: 'ref', dtypes: NUMERIC_TYPES,
    prepare(c) {
      const x = c.input(0, NUMERIC_TYPES);
      const y = c.output(0, ['int64']);
      const { last, outer, len, inner } = argPlan(c, x, y);
      const read = reader(x);
      const yd = y.data as BigInt64Array;
      // "Better" is strict for the first extreme, not strict for the last.
      const better = op === 'ArgMax'
        ? (last ? (v: number, b: number) => v >= b : (v: number, b: number) => v > b)
        : (last ? (v: number, b: number) => v <= b : (v: number, b: number) => v < b);
      return () => {
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const base = o * len * inner + i;
            let best = read(base), at = 0;
            for (let k = 1; k < len; k++) {
              const v = read(base + k * inner);
              if (better(v, best)) { best = v; at = k; }
            }
            yd[o * inner + i] = BigInt(at);
          }
        }
      };
    },
  });
}

export const ARG_REF_KERNELS: readonly Kernel[] = [argRef('ArgMax'), argRef('ArgMin')];
