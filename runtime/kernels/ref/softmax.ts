// Reference Softmax, LogSoftmax and Hardmax (float32, float64). Opset 13 semantics normalise
// along one axis (default −1); before opset 13 the input is coerced to 2-D at `axis` and each row
// normalised as a whole: the importer marks such nodes with spc_coerce_2d = 1 and an explicit
// axis (compiler/frontend/opset-forms.ts). The maximum is subtracted first for stability.

import type { DType } from '../../tensor.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];

/** Writes one normalised lane: `len` elements at base + k·stride of x into y. */
type Lane = (xd: Float64Array | Float32Array, yd: Float64Array | Float32Array, base: number, len: number, stride: number) => void;

function laneMax(xd: ArrayLike<number>, base: number, len: number, stride: number): number {
  let m = -Infinity;
  for (let k = 0; k < len; k++) m = Math.max(m, xd[base + k * stride]!);
  return m;
}

function expSum(xd: ArrayLike<number>, base: number, len: number, stride: number, max: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += Math.exp(xd[base + k * stride]! - max);
  return s;
}

const LANES: Readonly<Record<string, Lane>> = {
  Softmax: (xd, yd, base, len, stride) => {
    const m = laneMax(xd, base, len, stride), s = expSum(xd, base, len, stride, m);
    for (let k = 0; k < len; k++) yd[base + k * stride] = Math.exp(xd[base + k * stride]! - m) / s;
  },
  LogSoftmax: (xd, yd, base, len, stride) => {
    const m = laneMax(xd, base, len, stride), logS = Math.log(expSum(xd, base, len, stride, m));
    for (let k = 0; k < len; k++) yd[base + k * stride] = xd[base + k * stride]! - m - logS;
  },
  // 1 at the first maximum, 0 elsewhere.
  Hardmax: (xd, yd, base, len, stride) => {
    let at = 0;
    for (let k = 1; k < len; k++) if (xd[base + k * stride]! > xd[base + at * stride]!) at = k;
    for (let k = 0; k < len; k++) yd[base + k * stride] = k === at ? 1 : 0;
  },
};

function softmaxLikeRef(op: string): Kernel {
  const lane = LANES[op]!;
  return defineKernel({
    dtype: 'any', tile: '1x1', op, target: 'ref', dtypes: FLOATS,
    prepare(c) {
      const x = c.input(0, FLOATS);
      const y = c.output(0, [x.dtype]);
      c.shapeIs(y, x.shape, 'output');
      const rank = x.shape.length;
      const coerce = c.int('spc_coerce_2d', 0) !== 0;
      const axis = c.axis(c.int('axis', coerce ? 1 : -1), Math.max(rank, 1));
      // A lane is one axis (opset 13) or everything from `axis` on, contiguous (opset < 13).
      const after = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const len = rank === 0 ? 1 : coerce ? x.shape[axis]! * after : x.shape[axis]!;
      const inner = coerce ? 1 : after;
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const xd = x.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) lane(xd, yd, o * len * inner + i, len, inner);
        }
      };
    },
  });
}

export const SOFTMAX_REF_KERNELS: readonly Kernel[] = ['Softmax', 'LogSoftmax', 'Hardmax'].map(softmaxLikeRef);
