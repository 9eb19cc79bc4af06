// js Gemm with a packed sparse B (input 1), fused relu/clip. Row-wise sparse dot products:
//
//   csr/nm: Y[i, j] = Σ_{e in row j} values[e] · A[i, col[e]]   (col: csr colIdx / nm table)
//   bsr:    per block (R, C) of br×bc:  Y[i, R·br + r] += V[b, r, c] · A[i, C·bc + c]
//
// then alpha, beta·C and the clamp in one pass. Index tables are built in prepare.

import type { PackedWeight, SparseFormat } from '../../sparse/packed.js';
import type { Kernel, RunFn } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import { rowEntries, SPARSE_FORMATS } from '../ref/weight-sparse.js';

/**
 * Prepares Y[i, :] = op(A)[i, :] · Wᵀ (no epilogue) for `m` rows of A, op(A)[i, p] at
 * ad[i·aRow + p·aCol]; Y rows are `n` apart. The returned closure does not allocate.
 */
export function prepareSparseRows(
  c: Checker, p: PackedWeight, m: number, n: number, ad: Float32Array, aRow: number, aCol: number, yd: Float32Array,
): RunFn {
  if (p.format === 'bsr') {
    const { br, bc, rowPtr, values } = p;
    const colIdx = Int32Array.from(p.colIdx);
    const blockRows = n / br;
    return () => {
      yd.fill(0, 0, m * n);
      for (let i = 0; i < m; i++) {
        const a0 = i * aRow, y0 = i * n;
        for (let R = 0; R < blockRows; R++) {
          for (let b = rowPtr[R]!; b < rowPtr[R + 1]!; b++) {
            const c0 = a0 + colIdx[b]! * bc * aCol;
            let v = b * br * bc;
            for (let r = 0; r < br; r++) {
              let acc = 0;
              for (let cc = 0; cc < bc; cc++, v++) acc += values[v]! * ad[c0 + cc * aCol]!;
              yd[y0 + R * br + r] += acc;
            }
          }
        }
      }
    };
  }
  // csr and nm: entries are the packed values in order (val[e] = e), columns from the table.
  const { rowStart, col, values } = rowEntries(c, p);
  return () => {
    for (let i = 0; i < m; i++) {
      const a0 = i * aRow, y0 = i * n;
      for (let j = 0; j < n; j++) {
        let acc = 0;
        const end = rowStart[j + 1]!;
        for (let e = rowStart[j]!; e < end; e++) acc += values[e]! * ad[a0 + col[e]! * aCol]!;
        yd[y0 + j] = acc;
      }
    }
  };
}

function gemmSparseJs(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'Gemm', target: 'js', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const { a, y, cd, cRow, cCol, packed, m, n, aRow, aCol, alpha, beta, lo, hi } = planSparseGemm(c, format, epilogue);
      const yd = y.data as Float32Array;
      const core = prepareSparseRows(c, packed, m, n, a.data as Float32Array, aRow, aCol, yd);
      return () => {
        core();
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let v = alpha * yd[i * n + j]!;
            if (cd !== undefined) v += beta * cd[i * cRow + j * cCol]!;
            yd[i * n + j] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      };
    },
  });
}

export const GEMM_SPARSE_JS_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => gemmSparseJs(f, e)));
