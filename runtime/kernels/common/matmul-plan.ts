// MatMul preconditions shared by the dense and packed-B kernels (ref and js): operands and the
// epilogue clamp, then matmul-shape.ts's shape rules.

import type { Kernel } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import { epilogueClamp } from './epilogue.js';
import type { MatMulPlan } from './matmul-shape.js';
import { planMatMul } from './matmul-shape.js';

export interface MatMulNodePlan extends MatMulPlan {
  readonly a: TensorView;
  /** Dense B, or the packed weight's view (shape of the logical dense B; data not dense). */
  readonly b: TensorView;
  readonly y: TensorView;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Checks a MatMul node and plans its batches. A `dense` B is checked like A (float32, data long
 * enough); a `packed` B must be 2-D, its structure being the caller's to check.
 */
export function planMatMulNode(c: Checker, epilogue: Kernel['epilogue'], bLayout: 'dense' | 'packed'): MatMulNodePlan {
  const a = c.input(0, ['float32']);
  const b = bLayout === 'dense' ? c.input(1, ['float32']) : c.ctx.inputs[1];
  if (b === undefined) c.fail('input 1 (B) is required');
  const y = c.output(0, ['float32']);
  const { lo, hi } = epilogueClamp(c, epilogue);
  if (bLayout === 'packed' && b.shape.length !== 2) c.fail(`a packed B must be 2-D, got [${b.shape.join(',')}]`);
  return { a, b, y, lo, hi, ...planMatMul(c, a, b, y) };
}
