// Shared preparation for windowed pools (MaxPool, AveragePool): geometry, the tap table (on demand) and
// per-window element counts with and without padding.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import type { WindowGeometry } from './geometry.js';
import { windowGeometry, windowTapTable } from './geometry.js';

export interface PoolPlan {
  readonly geometry: WindowGeometry;
  readonly planes: number; // batch * channels
  readonly inSize: number;
  readonly outSize: number;
  readonly taps: number;
  /** Builds the tap table (windowTapTable): only the ref kernels read it, so only they pay for it. */
  readonly tapTable: () => Int32Array;
}

export function planPool(c: Checker, x: TensorView, y: TensorView): PoolPlan {
  const rank = x.shape.length;
  if (rank < 3) c.fail(`input rank ${rank} < 3`);
  if (y.shape.length !== rank || y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[1]) {
    c.fail(`output shape [${y.shape.join(',')}] disagrees with input [${x.shape.join(',')}]`);
  }
  const kernel = c.ints('kernel_shape');
  if (kernel === undefined || kernel.length !== rank - 2) c.fail(`kernel_shape must have ${rank - 2} entries`);
  const geometry = windowGeometry(c, x.shape.slice(2), kernel, y.shape.slice(2), c.int('ceil_mode', 0) !== 0);
  const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  return {
    geometry,
    planes: x.shape[0]! * x.shape[1]!,
    inSize: prod(geometry.inSpatial),
    outSize: prod(geometry.outSpatial),
    taps: prod(geometry.kernel),
    tapTable: () => windowTapTable(geometry, c),
  };
}

/**
 * Number of taps of each window that fall inside the input padded by pads (count_include_pad
 * divisor): a window overhanging the end pad (ceil_mode) counts only up to it.
 */
export function paddedWindowCounts(g: WindowGeometry): Float64Array {
  const n = g.inSpatial.length;
  const outSize = g.outSpatial.reduce((p, d) => p * d, 1);
  const counts = new Float64Array(outSize);
  for (let p = 0; p < outSize; p++) {
    let rem = p, count = 1;
    for (let i = n - 1; i >= 0; i--) {
      const o = rem % g.outSpatial[i]!;
      rem = Math.floor(rem / g.outSpatial[i]!);
      let k = 0;
      for (let t = 0; t < g.kernel[i]!; t++) {
        const xi = o * g.strides[i]! - g.padBegin[i]! + t * g.dilations[i]!;
        if (xi >= -g.padBegin[i]! && xi < g.inSpatial[i]! + g.padEnd[i]!) k++;
      }
      count *= k;
    }
    counts[p] = count;
  }
  return counts;
}
