// js MatMul with a constant packed sparse B [K, N]: all batches of A are one [rows, K]
// matrix, so it is the Gemm row kernel (gemm-sparse.ts) plus the clamp.
//
//   packed W[N][K] = Bᵀ:  Y[i, j] = Σ_{e in row j} w_e · A[i, col_e]

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import { SPARSE_FORMATS } from '../ref/weight-sparse.js';
import { prepareSparseRows } from './gemm-sparse.js';

function matmulSparseJs(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'MatMul', target: 'js', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const { a, y, packed, rows, k, n, lo, hi } = planSparseMatMul(c, format, epilogue);
      const yd = y.data as Float32Array;
      const core = prepareSparseRows(c, packed, rows, n, a.data as Float32Array, k, 1, yd);
      const size = rows * n;
      return () => {
        core();
        if (lo !== -Infinity || hi !== Infinity) {
          for (let i = 0; i < size; i++) { const v = yd[i]!; yd[i] = v < lo ? lo : v > hi ? hi : v; }
        }
      };
    },
  });
}

export const MATMUL_SPARSE_JS_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => matmulSparseJs(f, e)));
