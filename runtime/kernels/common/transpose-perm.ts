// The permutation a Transpose applies (its `perm`, default reversed axes), checked against the
// input rank and the output shape; shared by the ref and js kernels.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';

export function transposePerm(c: Checker, x: TensorView, y: TensorView): readonly number[] {
  const rank = x.shape.length;
  const perm = c.ints('perm') ?? x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) c.fail(`perm [${perm.join(',')}] is not a permutation of ${rank} axes`);
  c.shapeIs(y, perm.map((p) => x.shape[p]!), 'output');
  return perm;
}
