// js MatMul: batched numpy matmul with fused relu/clip; each batch runs the 4-row accumulate
// micro-kernel (A rows × contiguous B/C rows, see sgemm-core.ts).

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planMatMulNode } from '../common/matmul-plan.js';
import { clampRange, sgemmAccumulate } from './sgemm-core.js';

function matmulJs(epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '4x1', op: 'MatMul', target: 'js', epilogue, dtypes: ['float32'],
    prepare(c) {
      const { a, b, y, lo, hi, m, k, n, aOffsets, bOffsets } = planMatMulNode(c, epilogue, 'dense');
      const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
      const total = aOffsets.length * m * n;
      return () => {
        yd.fill(0, 0, total);
        for (let t = 0; t < aOffsets.length; t++) sgemmAccumulate(m, n, k, ad, aOffsets[t]!, k, 1, bd, bOffsets[t]!, yd, t * m * n);
        clampRange(yd, 0, total, lo, hi);
      };
    },
  });
}

export const MATMUL_JS_KERNELS: readonly Kernel[] = EPILOGUES.map(matmulJs);
