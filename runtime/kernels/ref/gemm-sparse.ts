// Reference Gemm with a packed sparse B (input 1): Y = alpha·op(A)·op(B) + beta·C, C
// unidirectionally broadcast to [M, N]; fused relu/clip after.
//
//   packed W[N][K] (rows = output features whatever transB says; transB only names how the
//   logical dense B was laid out):  Y[i, j] = alpha · Σ_{e in row j} w_e · op(A)[i, col_e] + beta·C[i, j]

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { broadcastStrides } from '../common/broadcast.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';
import type { TensorView } from '../../tensor.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { packedInput, rowEntries, SPARSE_FORMATS } from './weight-sparse.js';

export interface SparseGemmPlan {
  readonly a: TensorView;
  readonly y: TensorView;
  readonly cd: Float32Array | undefined;
  readonly cRow: number;
  readonly cCol: number;
  readonly packed: PackedWeight;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Strides of op(A)[i, p] in A's data. */
  readonly aRow: number;
  readonly aCol: number;
  readonly alpha: number;
  readonly beta: number;
  readonly lo: number;
  readonly hi: number;
}

/** Shared precondition checks of the sparse Gemm kernels (ref and js). */
export function planSparseGemm(c: Checker, format: SparseFormat, epilogue: Kernel['epilogue']): SparseGemmPlan {
  const a = c.input(0, ['float32']);
  const b = c.ctx.inputs[1];
  if (b === undefined) c.fail('input 1 (B) is required');
  const cIn = c.optionalInput(2, ['float32']);
  const y = c.output(0, ['float32']);
  const { lo, hi } = epilogueClamp(c, epilogue);
  const alpha = c.float('alpha', 1), beta = c.float('beta', 1);
  const transA = c.int('transA', 0) !== 0, transB = c.int('transB', 0) !== 0;
  if (a.shape.length !== 2 || b.shape.length !== 2) c.fail('A and B must be 2-D');
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== kb) c.fail(`inner dimensions differ: ${k} vs ${kb}`);
  c.shapeIs(y, [m, n], 'output');
  let cRow = 0, cCol = 0;
  if (cIn !== undefined) {
    const s = broadcastStrides(cIn.shape, [m, n]);
    if (s === undefined) c.fail(`C shape [${cIn.shape.join(',')}] does not broadcast to [${m},${n}]`);
    [cRow, cCol] = s as [number, number];
  }
  const packed = packedInput(c, 1, format, n, k);
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  return { a, y, cd: cIn?.data as Float32Array | undefined, cRow, cCol, packed, m, k, n, aRow, aCol, alpha, beta, lo, hi };
}

function gemmSparseRef(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  const id = epilogueId('f32', `gemm${format}`, epilogue, '1x1', 'ref');
  return defineKernel({
    id, op: 'Gemm', target: 'ref', epilogue, format, dtypes: ['float32'],
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
