// js float32 Sqrt, Log, Neg (one loop body per op, no per-element call) and Cast (one
// typed-array set where the typed arrays convert as the ONNX spec does; the ref kernel's loop for
// bool targets and int64 on either side). Exporters emit these around normalisations (LayerNorm's
// Sqrt, a log-magnitude spectrum's Log) and thresholds (Cast of a comparison).

import type { DType } from '../../tensor.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { castRef } from '../ref/cast.js';

const F32: readonly DType[] = ['float32'];

type RunUnary = (y: Float32Array, x: Float32Array, n: number) => void;

function unaryJs(op: string, run: RunUnary): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'js', dtypes: F32,
    prepare(c) {
      const x = c.input(0, F32);
      const y = c.output(0, F32);
      c.shapeIs(y, x.shape, 'output');
      const n = x.shape.reduce((p, d) => p * d, 1);
      const xd = x.data as Float32Array, yd = y.data as Float32Array;
      return () => run(yd, xd, n);
    },
  });
}

export const UNARY_JS_KERNELS: readonly Kernel[] = [
  unaryJs('Sqrt', (y, x, n) => { for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]!); }),
  unaryJs('Log', (y, x, n) => { for (let i = 0; i < n; i++) y[i] = Math.log(x[i]!); }),
  unaryJs('Neg', (y, x, n) => { for (let i = 0; i < n; i++) y[i] = -x[i]!; }),
];

const SET_CASTS: readonly DType[] = ['float32', 'float64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'bool'];

/**
 * Cast: between number-element arrays (not int64) to a non-bool dtype, TypedArray.prototype.set
 * converts exactly as the ref kernel stores: to float by value, float to integer by truncation
 * with NaN/±Infinity to 0 and wrapping (ToInt32/ToUint8…), integer narrowing by wrapping.
 */
export const castJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Cast', target: 'js', dtypes: castRef.dtypes,
  prepare(c) {
    const viaRef = castRef.prepare(c.ctx); // checks `to`, the dtypes and the shape as the spec says
    const x = c.input(0), y = c.output(0);
    // Only dtypes whose typed arrays convert as ONNX says take the fast paths (not int64, nor any
    // dtype added later whose storage is not its value, such as float16 in a Uint16Array).
    if (!SET_CASTS.includes(x.dtype) || !SET_CASTS.includes(y.dtype)) return viaRef;
    const n = x.shape.reduce((p, d) => p * d, 1);
    if (y.dtype === 'bool') {
      const xd = x.data as Float32Array, yd = y.data as Uint8Array;
      return () => { for (let i = 0; i < n; i++) yd[i] = xd[i] ? 1 : 0; }; // 0 and NaN are false
    }
    const src = x.data.subarray(0, n) as Float32Array, dst = y.data.subarray(0, n) as Float32Array;
    return () => dst.set(src);
  },
});
