// Reference Gemm with a packed sparse B (input 1): Y = alpha·op(A)·op(B) + beta·C, C
// unidirectionally broadcast to [M, N]; fused relu/clip after.
//
//   packed W[N][K] (rows = output features whatever transB says; transB only names how the
//   logical dense B was laid out):  Y[i, j] = alpha · Σ_{e in row j} w_e · op(A)[i, col_e] + beta·C[i, j]

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import type { GemmPlan } from '../common/gemm-plan.js';
import { planGemm } from '../common/gemm-plan.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { packedInput, rowEntries, SPARSE_FORMATS } from './weight-sparse.js';

export interface SparseGemmPlan extends GemmPlan {
  readonly packed: PackedWeight;
}

/** Shared precondition checks of the sparse Gemm kernels (ref and js). */
export function planSparseGemm(c: Checker, format: SparseFormat, epilogue: Kernel['epilogue']): SparseGemmPlan {
  const plan = planGemm(c, epilogue, 'packed');
  return { ...plan, packed: packedInput(c, 1, format, plan.n, plan.k) };
}

function gemmSparseRef(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'Gemm', target: 'ref', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const { a, y, cd, cRow, cCol, packed, m, n, aRow, aCol, alpha, beta, lo, hi } = planSparseGemm(c, format, epilogue);
      const { rowStart, col, val, values } = rowEntries(c, packed);
      const ad = a.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let e = rowStart[j]!; e < rowStart[j + 1]!; e++) acc += values[val[e]!]! * ad[i * aRow + col[e]! * aCol]!;
            let v = alpha * acc;
            if (cd !== undefined) v += beta * cd[i * cRow + j * cCol]!;
            yd[i * n + j] = Math.min(hi, Math.max(lo, v));
          }
        }
      };
    },
  });
}

export const GEMM_SPARSE_REF_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => gemmSparseRef(f, e)));
