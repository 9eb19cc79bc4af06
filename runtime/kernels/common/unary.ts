// Float32 elementwise unary kernels: one factory, one file per op in ref/ supplying the
// scalar function (built from the node's attributes at prepare time).

import type { Kernel } from '../kernel.js';
import type { Checker } from './define.js';
import { defineKernel } from './define.js';

export function unaryRef(op: string, makeFn: (c: Checker) => (x: number) => number): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'ref', dtypes: ['float32'],
    prepare(c) {
      const x = c.input(0, ['float32']);
      const y = c.output(0, ['float32']);
      c.shapeIs(y, x.shape, 'output');
      const f = makeFn(c);
      const xd = x.data as Float32Array, yd = y.data as Float32Array;
      const n = y.shape.reduce((a, d) => a * d, 1);
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
