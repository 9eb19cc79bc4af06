// js ArgMax / ArgMin on float32 (a classifier or CTC head's last step): one monomorphic loop per
// op and tie rule over [outer, len, inner], the comparison inlined (the ref reads every element
// through a dtype-generic reader and compares through a closure).

import type { DType } from '../../tensor.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { argPlan } from '../common/reduce.js';

const F32: readonly DType[] = ['float32'];

function argJs(op: 'ArgMax' | 'ArgMin'): Kernel {
  const sign = op === 'ArgMax' ? 1 : -1; // ArgMin is ArgMax of −x
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'js', dtypes: F32,
    prepare(c) {
      const x = c.input(0, F32);
      const y = c.output(0, ['int64']);
      const { last, outer, len, inner } = argPlan(c, x, y);
      const xd = x.data as Float32Array, yd = y.data as BigInt64Array;
      return () => {
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let at = o * len * inner + i;
            let best = sign * xd[at]!, bestK = 0;
            if (last) {
              for (let k = 1; k < len; k++) { at += inner; const v = sign * xd[at]!; if (v >= best) { best = v; bestK = k; } }
            } else {
              for (let k = 1; k < len; k++) { at += inner; const v = sign * xd[at]!; if (v > best) { best = v; bestK = k; } }
            }
            yd[o * inner + i] = BigInt(bestK);
          }
        }
      };
    },
  });
}

export const ARG_JS_KERNELS: readonly Kernel[] = [argJs('ArgMax'), argJs('ArgMin')];
