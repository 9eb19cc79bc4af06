// Reference Round (float32, float64): to the nearest integer, halves to the even one
// (2.5 → 2, -2.5 → -2), as numpy and onnxruntime round; NaN and ±Infinity pass through.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1; // ±Infinity: f % 2 is NaN, f + 1 is f
}

export const roundRef = unaryKernel('Round', FLOAT_TYPES, () => ({ float: roundHalfEven }));
