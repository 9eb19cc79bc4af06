// Tolerance checks against an oracle's output, with messages that say where it failed.

import type { TypedArray } from '../../runtime/tensor.js';

export interface Deviation { maxAbs: number; at: number; maxRef: number }

export function deviation(got: TypedArray, want: TypedArray): Deviation {
  if (got.length !== want.length) throw new Error(`length ${got.length} != expected ${want.length}`);
  let maxAbs = 0, at = -1, maxRef = 0;
  for (let i = 0; i < want.length; i++) {
    const w = Number(want[i]), g = Number(got[i]);
    maxRef = Math.max(maxRef, Math.abs(w));
    const d = Math.abs(g - w);
    if (!(d <= maxAbs)) { maxAbs = Number.isNaN(d) ? Infinity : d; at = i; }
  }
  return { maxAbs, at, maxRef };
}

/** Asserts max |got − want| ≤ rel·max|want| + abs. */
export function assertClose(got: TypedArray, want: TypedArray, rel: number, abs: number, what: string): Deviation {
  const d = deviation(got, want);
  const bound = rel * d.maxRef + abs;
  if (!(d.maxAbs <= bound)) {
    throw new Error(`${what}: max |got − want| = ${d.maxAbs.toExponential(3)} at index ${d.at} (got ${got[d.at]}, want ${want[d.at]}) exceeds ${bound.toExponential(3)}`);
  }
  return d;
}

export function argmaxRows(data: TypedArray, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (Number(data[r * cols + c]) > Number(data[r * cols + best])) best = c;
    out.push(best);
  }
  return out;
}
