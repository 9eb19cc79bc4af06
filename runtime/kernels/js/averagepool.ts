// js AveragePool for 1-D and 2-D float32 NCHW (3-D goes to the ref kernel): in-image tap
// ranges per output row/column (pool-window.ts); the divisor is the in-image tap count, or the
// padded window count (precomputed per output cell) under count_include_pad.

import { defineKernel } from '../common/define.js';
import { paddedWindowCounts, planPool } from '../common/pool-plan.js';
import { averagePoolRef } from '../ref/averagepool.js';
import { planeWindows } from './pool-window.js';

export const averagePoolJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'AveragePool', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    if (x.shape.length > 4) return averagePoolRef.prepare(c.ctx);
    const { geometry, planes, inSize, outSize } = planPool(c, x, y);
    const includePad = c.int('count_include_pad', 0) !== 0;
    const padded = paddedWindowCounts(geometry);
    const { rows, cols } = planeWindows(geometry);
    const W = cols.size, OH = rows.out, OW = cols.out, dh = rows.dilation, dw = cols.dilation;
    const rt = rows.table, ct = cols.table;
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        const xBase = pl * inSize, yBase = pl * outSize;
        for (let oh = 0; oh < OH; oh++) {
          const ih0 = rt[3 * oh]!, khLo = rt[3 * oh + 1]!, khHi = rt[3 * oh + 2]!;
          for (let ow = 0; ow < OW; ow++) {
            const iw0 = ct[3 * ow]!, kwLo = ct[3 * ow + 1]!, kwHi = ct[3 * ow + 2]!;
            let sum = 0;
            for (let kh = khLo; kh < khHi; kh++) {
              const row = xBase + (ih0 + kh * dh) * W + iw0;
              for (let kw = kwLo; kw < kwHi; kw++) sum += xd[row + kw * dw]!;
            }
            const p = oh * OW + ow;
            yd[yBase + p] = sum / (includePad ? padded[p]! : (khHi - khLo) * (kwHi - kwLo));
          }
        }
      }
    };
  },
});
