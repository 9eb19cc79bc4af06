// js MaxPool for 1-D and 2-D float32 NCHW without the Indices output (those, and 3-D, go to
// the ref kernel). Each output cell scans only its in-image taps (ranges from pool-window.ts),
// so no padding test runs in the inner loop.

import { defineKernel } from '../common/define.js';
import { planPool } from '../common/pool-plan.js';
import { maxPoolRef } from '../ref/maxpool.js';
import { planeWindows } from './pool-window.js';

export const maxPoolJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'MaxPool', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    if (c.ctx.outputs[1] !== undefined || x.shape.length > 4) return maxPoolRef.prepare(c.ctx);
    const { geometry, planes, inSize, outSize } = planPool(c, x, y);
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
            let best = -Infinity;
            for (let kh = khLo; kh < khHi; kh++) {
              const row = xBase + (ih0 + kh * dh) * W + iw0;
              for (let kw = kwLo; kw < kwHi; kw++) {
                const v = xd[row + kw * dw]!;
                if (v > best) best = v;
              }
            }
            yd[yBase + oh * OW + ow] = best;
          }
        }
      }
    };
  },
});
