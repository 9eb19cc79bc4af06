// Elementwise unary kernels: one factory, one file per op in ref/ supplying the element
// functions (built from the node's attributes at prepare time), picked by the input's dtype;
// unaryRef is the float32-only form.

import type { DType } from '../../tensor.js';
import type { Kernel } from '../kernel.js';
import type { Cells, Checker } from './define.js';
import { defineKernel, idDType } from './define.js';

export interface UnaryFns {
  /** float32/float64 (computed in double, rounded on store). */
  readonly float?: (x: number) => number;
  /** int32 and narrower integers and bool (the typed array wraps the result on store). */
  readonly int?: (x: number) => number;
  readonly int64?: (x: bigint) => bigint;
}

export function unaryRef(op: string, makeFn: (c: Checker) => (x: number) => number): Kernel {
  return unaryKernel(op, ['float32'], (c) => ({ float: makeFn(c) }));
}

/** A unary kernel over `dtypes`; the output has the input's dtype unless `outDType` says otherwise (Not: bool). */
export function unaryKernel(op: string, dtypes: readonly DType[], make: (c: Checker) => UnaryFns, outDType?: DType): Kernel {
  return defineKernel({
    dtype: idDType(dtypes), tile: '1x1', op, target: 'ref', dtypes,
    prepare(c: Checker) {
      const x = c.input(0, dtypes);
      const y = c.output(0, [outDType ?? x.dtype]);
      c.shapeIs(y, x.shape, 'output');
      const fns = make(c);
      const n = y.shape.reduce((a, d) => a * d, 1);
      if (x.dtype === 'int64') {
        const f = fns.int64;
        if (f === undefined) c.fail(`${x.dtype} is not supported by this op`);
        const xd = x.data as BigInt64Array, yd = y.data as BigInt64Array;
        return () => { for (let i = 0; i < n; i++) yd[i] = f(xd[i]!); };
      }
      const f = x.dtype === 'float32' || x.dtype === 'float64' ? fns.float : fns.int;
      if (f === undefined) c.fail(`${x.dtype} is not supported by this op`);
      const xd = x.data as Float32Array, yd = y.data as Cells as Float32Array;
      return () => { for (let i = 0; i < n; i++) yd[i] = f(xd[i]!); };
    },
  });
}

/** erf to double precision ~1e-15 near 0 and ~1e-7 absolute beyond |x| = 3 (enough for float32). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = sum * 1.1283791670955126;
    return x < 0 ? -r : r;
  }
  // Abramowitz & Stegun 7.1.26 tail (absolute error < 1.5e-7).
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = 1 - poly * Math.exp(-ax * ax);
  return x < 0 ? -r : r;
}

/** ln(1 + e^x) without overflow for large x or underflow to 0 too early for very negative x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
