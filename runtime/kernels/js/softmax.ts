// js Softmax and LogSoftmax over the last axis (contiguous rows): max, then exp written once into
// the output and summed, then one multiply by the reciprocal (Softmax) or one subtraction of
// max + log(sum) (LogSoftmax); the ref computes each exp twice. The last axis means the same under
// the opset < 13 coerce-to-2-D form (spc_coerce_2d), so both forms run here.

import type { DType } from '../../tensor.js';
import type { Kernel, NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';

const F32: readonly DType[] = ['float32'];

export function isLastAxis(rank: number, axis: number): boolean {
  return rank >= 1 && (axis === -1 || axis === rank - 1);
}

/** The axis a node normalises: explicit, or the default of its form (1 before opset 13, −1 from 13). */
export function axisOf(attrs: NodeShapes['attrs']): number {
  const a = attrs['axis'];
  return typeof a === 'number' ? a : attrs['spc_coerce_2d'] === 1 ? 1 : -1;
}

function softmaxLikeJs(op: 'Softmax' | 'LogSoftmax'): Kernel {
  const log = op === 'LogSoftmax';
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'js', dtypes: F32,
    supports(node: NodeShapes): boolean {
      const x = node.inputs[0];
      return x !== undefined && x.dtype === 'float32' && isLastAxis(x.shape.length, axisOf(node.attrs));
    },
    prepare(c) {
      const x = c.input(0, F32);
      const y = c.output(0, F32);
      c.shapeIs(y, x.shape, 'output');
      const rank = x.shape.length;
      if (!isLastAxis(rank, c.int('axis', c.int('spc_coerce_2d', 0) !== 0 ? 1 : -1))) c.fail('only the last axis is supported (the ref kernel takes any)');
      const len = x.shape[rank - 1]!;
      const rows = len === 0 ? 0 : x.shape.reduce((p, d) => p * d, 1) / len;
      const xd = x.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let r = 0, base = 0; r < rows; r++, base += len) {
          let max = -Infinity;
          for (let k = 0; k < len; k++) { const v = xd[base + k]!; if (v > max) max = v; }
          let sum = 0;
          if (log) {
            for (let k = 0; k < len; k++) sum += Math.exp(xd[base + k]! - max);
            const shift = max + Math.log(sum);
            for (let k = 0; k < len; k++) yd[base + k] = xd[base + k]! - shift;
          } else {
            for (let k = 0; k < len; k++) { const e = Math.exp(xd[base + k]! - max); yd[base + k] = e; sum += e; }
            const inv = 1 / sum;
            for (let k = 0; k < len; k++) yd[base + k] = yd[base + k]! * inv;
          }
        }
      };
    },
  });
}

export const SOFTMAX_JS_KERNELS: readonly Kernel[] = [softmaxLikeJs('Softmax'), softmaxLikeJs('LogSoftmax')];
