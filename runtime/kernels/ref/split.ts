// Reference Split (any dtype): piece sizes are the outputs' extents along the axis (shapes are
// static and given, so the split input / num_outputs attribute need not be re-read).

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const splitRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Split', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const outs = c.ctx.outputs.map((_, i) => c.output(i, [x.dtype]));
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    let total = 0;
    for (const [i, o] of outs.entries()) {
      if (o.shape.length !== rank || o.shape.some((d, k) => k !== axis && d !== x.shape[k])) c.fail(`output ${i} shape [${o.shape.join(',')}] is incompatible with input`);
      total += o.shape[axis]!;
    }
    if (total !== x.shape[axis]) c.fail(`outputs sum to ${total} along axis ${axis}, input has ${x.shape[axis]}`);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowIn = x.shape[axis]! * inner;
    const blocks = outs.map((o) => o.shape[axis]! * inner);
    const datas = outs.map((o) => o.data as Cells);
    const xd = x.data as Cells;
    return () => {
      let base = 0;
      for (let k = 0; k < datas.length; k++) {
        const dst = datas[k]!, block = blocks[k]!;
        for (let o = 0; o < outer; o++) {
          const s = o * rowIn + base, d = o * block;
          for (let j = 0; j < block; j++) dst[d + j] = xd[s + j];
        }
        base += block;
      }
    };
  },
});
