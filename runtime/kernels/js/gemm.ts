// js Gemm: Y = alpha·op(A)·op(B) + beta·C with fused relu/clip. transB = 0 runs the 4-row
// accumulate micro-kernel (contiguous over N), transB = 1 (PyTorch Linear weights) the
// 4-column dot micro-kernel (contiguous over K); see sgemm-core.ts for the loop sketches.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planGemm } from '../common/gemm-plan.js';
import { clampRange, sgemmAccumulate, sgemmDot } from './sgemm-core.js';

function gemmJs(epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '4x4', op: 'Gemm', target: 'js', epilogue, dtypes: ['float32'],
    prepare(c) {
      const { a, b, y, cd, cRow, cCol, m, k, n, transB, aRow, aCol, alpha, beta, lo, hi } = planGemm(c, epilogue, 'dense');
      const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
      const size = m * n;
      return () => {
        if (transB) sgemmDot(m, n, k, ad, 0, aRow, aCol, bd, 0, yd, 0);
        else {
          yd.fill(0, 0, size);
          sgemmAccumulate(m, n, k, ad, 0, aRow, aCol, bd, 0, yd, 0);
        }
        if (alpha !== 1) for (let i = 0; i < size; i++) yd[i] = alpha * yd[i]!;
        if (cd !== undefined && beta !== 0) {
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) yd[i * n + j] += beta * cd[i * cRow + j * cCol]!;
        }
        clampRange(yd, 0, size, lo, hi);
      };
    },
  });
}

export const GEMM_JS_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmJs);
