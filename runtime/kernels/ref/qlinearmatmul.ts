// Reference MatMulInteger and QLinearMatMul (opset 10+; int8/uint8, numpy matmul shapes): the
// product of (A − a_zero_point) and (B − b_zero_point) accumulated in int32, zero points per
// tensor, per row of A or per column of B; QLinearMatMul requantizes it to y's scale and zero point
// (scales float32, or float16 from opset 21).

import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { planMatMul } from '../common/matmul-shape.js';
import { checkScalarOrVector, INT8_TYPES, paramAt, QUANT_RANGE, quantizeValue, roundToScaleType, SCALE_TYPES } from '../common/quant.js';

/** Binds A, B and their zero points (`aZp`, `bZp` input indices) and returns a closure filling `acc` with the int32 products. */
function integerMatMul(c: Checker, ai: number, aZpi: number, bi: number, bZpi: number, y: TensorView): { run(acc: Int32Array): void; m: number; n: number } {
  const a = c.input(ai, INT8_TYPES), b = c.input(bi, INT8_TYPES);
  const aZp = c.optionalInput(aZpi, [a.dtype]), bZp = c.optionalInput(bZpi, [b.dtype]);
  const { m, k, n, aOffsets, bOffsets } = planMatMul(c, a, b, y);
  checkScalarOrVector(c, aZp, m, `input ${aZpi} (A's zero point)`, 'one per row of A');
  checkScalarOrVector(c, bZp, n, `input ${bZpi} (B's zero point)`, 'one per column of B');
  const ad = a.data as Cells, bd = b.data as Cells;
  return {
    m, n,
    run(acc) {
      for (let t = 0; t < aOffsets.length; t++) {
        const ao = aOffsets[t]!, bo = bOffsets[t]!, yo = t * m * n;
        for (let i = 0; i < m; i++) {
          const za = paramAt(aZp, i);
          for (let j = 0; j < n; j++) {
            const zb = paramAt(bZp, j);
            let s = 0;
            for (let p = 0; p < k; p++) s += ((ad[ao + i * k + p] as number) - za) * ((bd[bo + p * n + j] as number) - zb);
            acc[yo + i * n + j] = s; // int32 accumulation: the store wraps as onnxruntime's does
          }
        }
      }
    },
  };
}

export const matMulIntegerRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'MatMulInteger', target: 'ref', dtypes: INT8_TYPES,
  prepare(c) {
    const y = c.output(0, ['int32']);
    const mm = integerMatMul(c, 0, 2, 1, 3, y);
    const yd = y.data as Int32Array;
    return () => mm.run(yd);
  },
});

export const qLinearMatMulRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'QLinearMatMul', target: 'ref', dtypes: INT8_TYPES,
  prepare(c) {
    const y = c.output(0, INT8_TYPES);
    const mm = integerMatMul(c, 0, 2, 3, 5, y);
    const aScale = c.input(1, SCALE_TYPES), bScale = c.input(4, [aScale.dtype]), yScale = c.input(6, [aScale.dtype]);
    const yZp = c.optionalInput(7, [y.dtype]);
    checkScalarOrVector(c, aScale, mm.m, 'input 1 (a_scale)', 'one per row of A');
    checkScalarOrVector(c, bScale, mm.n, 'input 4 (b_scale)', 'one per column of B');
    checkScalarOrVector(c, yScale, mm.n, 'input 6 (y_scale)', 'one per column of Y');
    checkScalarOrVector(c, yZp, mm.n, 'input 7 (y_zero_point)', 'one per column of Y');
    const [lo, hi] = QUANT_RANGE[y.dtype]!;
    const { m, n } = mm;
    const round = roundToScaleType(aScale.dtype);
    const acc = new Int32Array(y.shape.reduce((p, d) => p * d, 1));
    const yd = y.data as Cells;
    return () => {
      mm.run(acc);
      for (let t = 0; t < acc.length; t++) {
        const i = Math.floor(t / n) % m, j = t % n;
        // The multiplier a_scale · b_scale / y_scale in the scales' type, as the spec's reference computes it.
        const mult = round(round(paramAt(aScale, i) * paramAt(bScale, j)) / paramAt(yScale, j));
        yd[t] = quantizeValue(acc[t]! * mult, paramAt(yZp, j), lo, hi);
      }
    };
  },
});
