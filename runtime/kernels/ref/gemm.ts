// Reference Gemm: Y = alpha * op(A) * op(B) + beta * C, C unidirectionally broadcast to
// [M, N]; optional fused relu/clip epilogue.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planGemm } from '../common/gemm-plan.js';

function gemmRef(epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'Gemm', target: 'ref', epilogue, dtypes: ['float32'],
    prepare(c) {
      const { a, b, y, cd, cRow, cCol, m, k, n, transB, aRow, aCol, alpha, beta, lo, hi } = planGemm(c, epilogue, 'dense');
      const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
      const [bK, bJ] = transB ? [1, k] : [n, 1];
      return () => {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let p = 0; p < k; p++) acc += ad[i * aRow + p * aCol]! * bd[p * bK + j * bJ]!;
            let v = alpha * acc;
            if (cd !== undefined) v += beta * cd[i * cRow + j * cCol]!;
            yd[i * n + j] = Math.min(hi, Math.max(lo, v));
          }
        }
      };
    },
  });
}

export const GEMM_REF_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmRef);
