// js Add for float32 inputs of one shape (the residual adds of CNNs): one flat loop. Broadcasting
// adds and other dtypes run the ref kernel.

import { defineKernel } from '../common/define.js';
import { addRef } from '../ref/add.js';

export const addJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Add', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const a = c.input(0), b = c.input(1);
    const same = a.dtype === 'float32' && b.dtype === 'float32' && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    if (!same) return addRef.prepare(c.ctx);
    const y = c.output(0, ['float32']);
    c.shapeIs(y, a.shape, 'output');
    const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
    const n = yd.length;
    return () => { for (let i = 0; i < n; i++) yd[i] = ad[i]! + bd[i]!; };
  },
});
