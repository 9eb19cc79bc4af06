// Reference MatMul: numpy matmul semantics (batched, broadcast batch axes, 1-D operands);
// optional fused relu/clip epilogue.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planMatMulNode } from '../common/matmul-plan.js';

function matmulRef(epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'MatMul', target: 'ref', epilogue, dtypes: ['float32'],
    prepare(c) {
      const { a, b, y, lo, hi, m, k, n, aOffsets, bOffsets } = planMatMulNode(c, epilogue, 'dense');
      const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let t = 0; t < aOffsets.length; t++) {
          const ao = aOffsets[t]!, bo = bOffsets[t]!, yo = t * m * n;
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let acc = 0;
              for (let p = 0; p < k; p++) acc += ad[ao + i * k + p]! * bd[bo + p * n + j]!;
              yd[yo + i * n + j] = Math.min(hi, Math.max(lo, acc));
            }
          }
        }
      };
    },
  });
}

export const MATMUL_REF_KERNELS: readonly Kernel[] = EPILOGUES.map(matmulRef);
