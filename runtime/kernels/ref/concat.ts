// Reference Concat (any dtype): each input contributes a block of (its axis extent x inner)
// elements to every outer row of the output.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const concatRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Concat', target: 'ref', dtypes: 'any',
  prepare(c) {
    const inputs = c.ctx.inputs.map((_, i) => c.input(i));
    if (inputs.length === 0) c.fail('needs at least one input');
    const y = c.output(0, [inputs[0]!.dtype]);
    const rank = y.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    let total = 0;
    for (const [i, x] of inputs.entries()) {
      c.sameDType(inputs[0]!, x, `input ${i}`);
      if (x.shape.length !== rank || x.shape.some((d, k) => k !== axis && d !== y.shape[k])) {
        c.fail(`input ${i} shape [${x.shape.join(',')}] is incompatible with output [${y.shape.join(',')}] on axis ${axis}`);
      }
      total += x.shape[axis]!;
    }
    if (total !== y.shape[axis]) c.fail(`inputs sum to ${total} along axis ${axis}, output has ${y.shape[axis]}`);
    const outer = y.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = y.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowOut = y.shape[axis]! * inner;
    const blocks = inputs.map((x) => x.shape[axis]! * inner);
    const datas = inputs.map((x) => x.data as Cells);
    const yd = y.data as Cells;
    return () => {
      let base = 0;
      for (let k = 0; k < datas.length; k++) {
        const src = datas[k]!, block = blocks[k]!;
        for (let o = 0; o < outer; o++) {
          const s = o * block, d = o * rowOut + base;
          for (let j = 0; j < block; j++) yd[d + j] = src[s + j];
        }
        base += block;
      }
    };
  },
});
