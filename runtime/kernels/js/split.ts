// js Split (any dtype): each output's block of every outer row is one TypedArray.set from a
// subarray of the input built at prepare (block copies at memcpy speed; run() allocates
// nothing), the mirror of js Concat. The ref kernel checks every precondition.
//
//   x row o: [ block 0 | block 1 | … ]  ──set──▶  y_k[o·block_k ..]

import { defineKernel } from '../common/define.js';
import type { TypedArray } from '../../tensor.js';
import { splitRef } from '../ref/split.js';

export const splitJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Split', target: 'js', dtypes: 'any',
  prepare(c) {
    splitRef.prepare(c.ctx);
    const x = c.input(0);
    const outs = c.ctx.outputs.map((_, i) => c.output(i, [x.dtype]));
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowIn = x.shape[axis]! * inner;
    const xd = x.data as TypedArray;
    const copies: { src: TypedArray; dst: TypedArray; at: number }[] = [];
    let base = 0;
    for (const o of outs) {
      const block = o.shape[axis]! * inner;
      for (let r = 0; r < outer; r++) if (block > 0) copies.push({ src: xd.subarray(r * rowIn + base, r * rowIn + base + block), dst: o.data as TypedArray, at: r * block });
      base += block;
    }
    return () => {
      for (let i = 0; i < copies.length; i++) {
        const k = copies[i]!;
        (k.dst as Float32Array).set(k.src as Float32Array, k.at);
      }
    };
  },
});
