// js Concat (any dtype): each input's block of every outer row is one TypedArray.set from a
// subarray built at prepare (block copies at memcpy speed; run() allocates nothing). Inputs of
// the BigInt kinds mixed with number kinds cannot occur (dtypes must agree), so set() is exact.

import { defineKernel } from '../common/define.js';
import type { TypedArray } from '../../tensor.js';
import { concatRef } from '../ref/concat.js';

export const concatJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Concat', target: 'js', dtypes: 'any',
  prepare(c) {
    // The ref kernel checks every precondition; its run is replaced by block copies.
    concatRef.prepare(c.ctx);
    const inputs = c.ctx.inputs.map((_, i) => c.input(i));
    const y = c.output(0);
    const rank = y.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    const outer = y.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = y.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowOut = y.shape[axis]! * inner;
    const yd = y.data as TypedArray;
    const copies: { src: TypedArray; dst: number }[] = [];
    let base = 0;
    for (const x of inputs) {
      const block = x.shape[axis]! * inner;
      const xd = x.data as TypedArray;
      for (let o = 0; o < outer; o++) if (block > 0) copies.push({ src: xd.subarray(o * block, (o + 1) * block), dst: o * rowOut + base });
      base += block;
    }
    return () => {
      for (let i = 0; i < copies.length; i++) {
        const k = copies[i]!;
        (yd as Float32Array).set(k.src as Float32Array, k.dst);
      }
    };
  },
});
