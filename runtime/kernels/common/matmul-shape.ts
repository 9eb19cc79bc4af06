// MatMul shape rules (numpy matmul): 1-D operands are promoted and the promoted axis dropped
// from the result; batch axes broadcast. Produces per-batch offsets for both operands.

import type { TensorView } from '../../tensor.js';
import { broadcastShape, broadcastStrides } from './broadcast.js';
import type { Checker } from './define.js';

export interface MatMulPlan {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Element offsets of each batch's A and B matrices; the output batches are contiguous. */
  readonly aOffsets: Int32Array;
  readonly bOffsets: Int32Array;
}

export function planMatMul(c: Checker, a: TensorView, b: TensorView, y: TensorView): MatMulPlan {
  if (a.shape.length === 0 || b.shape.length === 0) c.fail('MatMul operands must have rank >= 1');
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const m = aShape[aShape.length - 2]!, k = aShape[aShape.length - 1]!;
  const kb = bShape[bShape.length - 2]!, n = bShape[bShape.length - 1]!;
  if (k !== kb) c.fail(`inner dimensions differ: ${k} vs ${kb}`);
  const aBatch = aShape.slice(0, -2), bBatch = bShape.slice(0, -2);
  const batch = broadcastShape([aBatch, bBatch]);
  if (batch === undefined) c.fail(`batch shapes [${aBatch.join(',')}] and [${bBatch.join(',')}] do not broadcast`);
  const expected = [...batch];
  if (a.shape.length > 1) expected.push(m);
  if (b.shape.length > 1) expected.push(n);
  c.shapeIs(y, expected, 'output');
  const aStr = broadcastStrides(aBatch, batch)!, bStr = broadcastStrides(bBatch, batch)!;
  const count = batch.reduce((p, d) => p * d, 1);
  const aOffsets = new Int32Array(count), bOffsets = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    let rem = t, ao = 0, bo = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
      ao += i * aStr[d]!; bo += i * bStr[d]!;
    }
    aOffsets[t] = ao * m * k;
    bOffsets[t] = bo * k * n;
  }
  return { m, k, n, aOffsets, bOffsets };
}
