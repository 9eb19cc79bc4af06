// Gather's form read once for the ref and js kernels: data, int32/int64 indices, the axis, the
// output shape checked, and the blocks Y[o, j, t] = X[o, idx[j], t] walks (o < outer, j < k, t < inner).

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import { INT_INDEX_TYPES } from './define.js';

export interface GatherPlan {
  readonly x: TensorView;
  readonly idx: TensorView;
  readonly y: TensorView;
  readonly outer: number;
  readonly inner: number;
  /** The gathered axis's length (indices in [−len, len)). */
  readonly len: number;
  /** Number of indices. */
  readonly k: number;
}

export function gatherPlan(c: Checker): GatherPlan {
  const x = c.input(0);
  const idx = c.input(1, INT_INDEX_TYPES);
  const y = c.output(0, [x.dtype]);
  const rank = x.shape.length;
  const axis = c.axis(c.int('axis', 0), rank);
  c.shapeIs(y, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], 'output');
  const size = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);
  return { x, idx, y, outer: size(x.shape.slice(0, axis)), inner: size(x.shape.slice(axis + 1)), len: x.shape[axis]!, k: size(idx.shape) };
}
