// js Softmax over the last axis (contiguous rows): max, then exp written once into the output
// and summed, then one multiply by the reciprocal (the ref computes each exp twice).

import type { DType } from '../../tensor.js';
import type { NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';

const F32: readonly DType[] = ['float32'];

function isLastAxis(rank: number, axis: number): boolean {
  return rank >= 1 && (axis === -1 || axis === rank - 1);
}

export const softmaxJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Softmax', target: 'js', dtypes: F32,
  supports(node: NodeShapes): boolean {
    const x = node.inputs[0];
    const axis = typeof node.attrs['axis'] === 'number' ? node.attrs['axis'] : -1;
    return x !== undefined && x.dtype === 'float32' && isLastAxis(x.shape.length, axis);
  },
  prepare(c) {
    const x = c.input(0, F32);
    const y = c.output(0, F32);
    c.shapeIs(y, x.shape, 'output');
    const rank = x.shape.length;
    if (!isLastAxis(rank, c.int('axis', -1))) c.fail('only the last axis is supported (the ref kernel takes any)');
    const len = x.shape[rank - 1]!;
    const rows = len === 0 ? 0 : x.shape.reduce((p, d) => p * d, 1) / len;
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let r = 0, base = 0; r < rows; r++, base += len) {
        let max = -Infinity;
        for (let k = 0; k < len; k++) { const v = xd[base + k]!; if (v > max) max = v; }
        let sum = 0;
        for (let k = 0; k < len; k++) { const e = Math.exp(xd[base + k]! - max); yd[base + k] = e; sum += e; }
        const inv = 1 / sum;
        for (let k = 0; k < len; k++) yd[base + k] = yd[base + k]! * inv;
      }
    };
  },
});
