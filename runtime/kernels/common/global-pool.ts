// Shared preparation for the global pools (GlobalAveragePool, GlobalMaxPool): NCHW float32 of any
// spatial rank reduced to one value per (batch, channel) plane, each plane contiguous.

import type { Checker } from './define.js';

export interface GlobalPoolPlan {
  readonly xd: Float32Array;
  readonly yd: Float32Array;
  /** batch · channels */
  readonly planes: number;
  /** Elements per plane (the product of the spatial axes). */
  readonly size: number;
}

export function planGlobalPool(c: Checker): GlobalPoolPlan {
  const x = c.input(0, ['float32']);
  const y = c.output(0, ['float32']);
  if (x.shape.length < 3) c.fail(`input rank ${x.shape.length} < 3`);
  c.shapeIs(y, x.shape.map((d, i) => (i < 2 ? d : 1)), 'output');
  return {
    xd: x.data as Float32Array,
    yd: y.data as Float32Array,
    planes: x.shape[0]! * x.shape[1]!,
    size: x.shape.slice(2).reduce((p, d) => p * d, 1),
  };
}
