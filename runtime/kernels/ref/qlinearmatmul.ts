// Reference MatMulInteger and QLinearMatMul (opset 10+; int8/uint8, numpy matmul shapes): the
// product of (A − a_zero_point) and (B − b_zero_point) accumulated in int32, zero points per
// tensor, per row of A or per column of B; QLinearMatMul requantizes it to y's scale and zero point
// (scales float32, or float16 from opset 21).

import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { planMatMul } from '../common/matmul-shape.js';
import { checkParam, INT8_TYPES, int8Operand, paramAt, requantizer, SCALE_TYPES } from '../common/quant.js';

/** Binds A, B and their zero points (`aZp`, `bZp` input indices) and returns a closure filling `acc` with the int32 products. */
function integerMatMul(c: Checker, ai: number, aZpi: number, bi: number, bZpi: number, y: TensorView): { run(acc: Int32Array): void; m: number; n: number } {
  const { x: a, zp: aZp } = int8Operand(c, ai, aZpi), { x: b, zp: bZp } = int8Operand(c, bi, bZpi);
  const { m, k, n, aOffsets, bOffsets } = planMatMul(c, a, b, y);
  checkParam(c, aZp, `input ${aZpi} (A's zero point)`, { per: { len: m, what: 'one per row of A' } });
  checkParam(c, bZp, `input ${bZpi} (B's zero point)`, { per: { len: n, what: 'one per column of B' } });
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
    const { m, n } = mm;
    const perColumn = { per: { len: n, what: 'one per column of Y' } };
    const requantize = requantizer(c, y, {
      names: ['a_scale', 'b_scale', 'y_scale', 'y_zero_point'],
      forms: [{ per: { len: m, what: 'one per row of A' } }, { per: { len: n, what: 'one per column of B' } }, perColumn, perColumn],
      scaleTypes: SCALE_TYPES,
    }, (t) => Math.floor(t / n) % m, (t) => t % n);
    const acc = new Int32Array(y.shape.reduce((p, d) => p * d, 1));
    return () => {
      mm.run(acc);
      requantize(acc);
    };
  },
});
