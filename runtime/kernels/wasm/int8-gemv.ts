// The int8 gemv with a float32 epilogue (asm/int8gemv.as i8gemvFloat) for products of few
// activation rows (M ≤ 4) with an int8 weight: the weight packed once into int8 rows of K padded
// to 16 (its codes, one byte each), the activation rows packed per run by i8pack (x − zx, int16).
//
//   Wp[N][kpad16] int8    Xp[M][kpad16] int16    Y[M][N] float32 = (acc − wzp[j]·Σ(x − zx))·scale[j] + bias[j]

import type { WasmEnv } from '../kernel.js';
import type { I8Pack } from './int8-gemm.js';
import { bytes16 } from './int8-gemm.js';

/** Y[i][j] float32 from int8 rows (asm/int8gemv.as i8gemvFloat). */
export type I8GemvFloat = (w: number, x: number, m: number, n: number, kpad: number, y: number, rowY: number, scale: number, wzp: number, bias: number) => void;

/** The activation rows most worth running on the gemv: beyond these a pixel-vectorized kernel fills its lanes. */
export const GEMV_MAX_ROWS = 4;

/** K rounded up to the 16 codes one weight vector holds. */
export const padK16 = (k: number): number => Math.ceil(k / 16) * 16;
const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Scratch bytes of a gemv over [m, k] × [k, n]: packed weight and activations, and the per-column tables. */
export const gemvScratchBytes = (m: number, k: number, n: number): number =>
  bytes16(n * padK16(k)) + bytes16(m * padK16(k) * 2) + 3 * bytes16(pad4(n) * 4);

export interface GemvWeight {
  /** The int8 codes. */
  readonly codes: Int8Array;
  /** `true` when codes are [N][K] (Gemm transB = 1), else [K][N] (MatMul B). */
  readonly rowsAreOutputs: boolean;
  /** Per output column: x_scale · w_scale[j] rounded once to float32. */
  readonly scale: Float32Array;
  /** Per output column weight zero points, or none (all 0). */
  readonly zeroPoints?: Int32Array;
  /** Per output column float32 bias, or none. */
  readonly bias?: Float32Array;
}

/**
 * Packs the weight and tables into scratch once and returns the per-run call: x at byte `xp`
 * (m rows of k int8, or uint8 when `signed` is 0) less zero point `zx` → y at byte `yp` (m rows of n float32).
 */
export function prepareGemvFloat(env: WasmEnv, m: number, k: number, n: number, w: GemvWeight): (xp: number, signed: number, zxp: number, yp: number) => void {
  const kpad = padK16(k), cols = pad4(n);
  const wp = env.scratch(bytes16(n * kpad)), xrows = env.scratch(bytes16(m * kpad * 2));
  const sp = env.scratch(bytes16(cols * 4)), zp = w.zeroPoints ? env.scratch(bytes16(cols * 4)) : 0, bp = w.bias ? env.scratch(bytes16(cols * 4)) : 0;
  const buf = env.memory.buffer;
  const wd = new Int8Array(buf, wp, n * kpad);
  wd.fill(0);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) wd[j * kpad + p] = w.codes[w.rowsAreOutputs ? j * k + p : p * n + j]!;
  }
  new Float32Array(buf, sp, cols).set(w.scale);
  if (w.zeroPoints) new Int32Array(buf, zp, cols).set(w.zeroPoints);
  if (w.bias) new Float32Array(buf, bp, cols).set(w.bias);
  const pack = env.exports['i8pack'] as I8Pack, gemv = env.exports['i8gemvFloat'] as I8GemvFloat;
  return (xp, signed, zxp, yp) => {
    pack(xp, signed, zxp, 0, m, k, k, 1, kpad, xrows);
    gemv(wp, xrows, m, n, kpad, yp, n, sp, zp, bp);
  };
}
