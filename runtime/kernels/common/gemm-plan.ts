// Gemm preconditions shared by the dense and packed-B kernels (ref and js): operands, alpha and
// beta, transA/transB shape derivation, C's unidirectional broadcast to [M, N], the epilogue clamp.

import type { Kernel } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import { broadcastStrides } from './broadcast.js';
import type { Checker } from './define.js';
import { epilogueClamp } from './epilogue.js';

export interface GemmPlan {
  readonly a: TensorView;
  /** Dense B, or the packed weight's view (shape of the logical dense B; data not dense). */
  readonly b: TensorView;
  readonly y: TensorView;
  readonly cd: Float32Array | undefined;
  /** Strides of C[i, j] broadcast to [M, N] (0 along broadcast axes). */
  readonly cRow: number;
  readonly cCol: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
  /** Strides of op(A)[i, p] in A's data. */
  readonly aRow: number;
  readonly aCol: number;
  readonly alpha: number;
  readonly beta: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Checks a Gemm node and derives its shapes. A `dense` B is checked like A (float32, data long
 * enough); a `packed` B only for presence here, its structure being the caller's to check.
 */
export function planGemm(c: Checker, epilogue: Kernel['epilogue'], bLayout: 'dense' | 'packed'): GemmPlan {
  const a = c.input(0, ['float32']);
  const b = bLayout === 'dense' ? c.input(1, ['float32']) : c.ctx.inputs[1];
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
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  return { a, b, y, cd: cIn?.data as Float32Array | undefined, cRow, cCol, m, k, n, transB, aRow, aCol, alpha, beta, lo, hi };
}
