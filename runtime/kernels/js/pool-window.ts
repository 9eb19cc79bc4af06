// Per-output-row/column tap ranges for the js 2-D pools: for output index o along one axis,
// the kernel taps [lo, hi) whose input lies inside the image and the input index of tap 0.
//
//   out o:  in0 = o·stride − padBegin;  taps t in [lo, hi) read in0 + t·dilation ∈ [0, size)

import type { WindowGeometry } from '../common/geometry.js';

export interface AxisWindows {
  readonly size: number;
  readonly out: number;
  readonly dilation: number;
  /** [in0, lo, hi] per output index. */
  readonly table: Int32Array;
}

function axisWindows(size: number, out: number, kernel: number, stride: number, dilation: number, pad: number): AxisWindows {
  const table = new Int32Array(3 * out);
  for (let o = 0; o < out; o++) {
    const in0 = o * stride - pad;
    const lo = Math.min(kernel, Math.max(0, Math.ceil(-in0 / dilation)));
    const hi = Math.max(lo, Math.min(kernel, Math.floor((size - 1 - in0) / dilation) + 1));
    table.set([in0, lo, hi], 3 * o);
  }
  return { size, out, dilation, table };
}

/** Rows and columns of a 1-D or 2-D window geometry (1-D as a unit-height 2-D). */
export function planeWindows(g: WindowGeometry): { rows: AxisWindows; cols: AxisWindows } {
  const two = g.inSpatial.length === 2;
  const rows = two
    ? axisWindows(g.inSpatial[0]!, g.outSpatial[0]!, g.kernel[0]!, g.strides[0]!, g.dilations[0]!, g.padBegin[0]!)
    : axisWindows(1, 1, 1, 1, 1, 0);
  const a = two ? 1 : 0;
  const cols = axisWindows(g.inSpatial[a]!, g.outSpatial[a]!, g.kernel[a]!, g.strides[a]!, g.dilations[a]!, g.padBegin[a]!);
  return { rows, cols };
}
