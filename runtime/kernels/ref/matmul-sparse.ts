// Reference MatMul with a constant packed sparse B [K, N] (2-D) and dense A [..., M, K]
// (batched or 1-D); fused relu/clip after.
//
//   packed W[N][K] = Bᵀ:  Y[t, i, j] = Σ_{e in row j} w_e · A[t, i, col_e]

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planMatMulNode } from '../common/matmul-plan.js';
import type { TensorView } from '../../tensor.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { packedInput, rowEntries, SPARSE_FORMATS } from './weight-sparse.js';

export interface SparseMatMulPlan {
  readonly a: TensorView;
  readonly y: TensorView;
  readonly packed: PackedWeight;
  /** Rows of A (all batches, contiguous), K and N. */
  readonly rows: number;
  readonly k: number;
  readonly n: number;
  readonly lo: number;
  readonly hi: number;
}

/** Shared precondition checks of the sparse MatMul kernels (ref and js). */
export function planSparseMatMul(c: Checker, format: SparseFormat, epilogue: Kernel['epilogue']): SparseMatMulPlan {
  const { a, y, lo, hi, m, k, n, aOffsets } = planMatMulNode(c, epilogue, 'packed');
  const packed = packedInput(c, 1, format, n, k);
  return { a, y, packed, rows: aOffsets.length * m, k, n, lo, hi };
}

function matmulSparseRef(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'MatMul', target: 'ref', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const { a, y, packed, rows, k, n, lo, hi } = planSparseMatMul(c, format, epilogue);
      const { rowStart, col, val, values } = rowEntries(c, packed);
      const ad = a.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let e = rowStart[j]!; e < rowStart[j + 1]!; e++) acc += values[val[e]!]! * ad[i * k + col[e]!]!;
            yd[i * n + j] = Math.min(hi, Math.max(lo, acc));
          }
        }
      };
    },
  });
}

export const MATMUL_SPARSE_REF_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => matmulSparseRef(f, e)));
