// The int8 gemv with a float32 epilogue (asm/int8gemv.as i8gemvFloat) for products of few
// activation rows (M ≤ 4) with an int8 weight: the weight packed once as its codes (one byte
// each), rows of K padded to 16 interleaved by 4 in 16-code chunks, the activation rows packed per run by i8pack (x − zx, int16);
// and i8-matmulinteger-1x4-wasmsimd, MatMulInteger on it for M ≤ 4 (int32 output).
//
//   Wp[N/4][kpad16/16][4][16] int8 (one stream)    Xp[M][kpad16] int16    Y[M][N] float32 = (acc − wzp[j]·Σ(x − zx))·scale[j] + bias[j]

import type { NodeShapes, WasmEnv } from '../kernel.js';
import { matMulIntegerRef } from '../ref/qlinearmatmul.js';
import type { I8Pack } from './int8-gemm.js';
import { bytePointer, bytes16, int8Kernel, isInt8 } from './int8-gemm.js';

/** Y[i][j] float32 from int8 rows (asm/int8gemv.as i8gemvFloat). */
export type I8GemvFloat = (w: number, x: number, m: number, n: number, kpad: number, y: number, rowY: number, scale: number, wzp: number, bias: number) => void;

/** The activation rows most worth running on the gemv: beyond these a pixel-vectorized kernel fills its lanes. */
export const GEMV_MAX_ROWS = 4;

/** K rounded up to the 16 codes one weight vector holds. */
export const padK16 = (k: number): number => Math.ceil(k / 16) * 16;
const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Scratch bytes of a gemv over [m, k] × [k, n]: packed weight and activations, and the per-column tables. */
export const gemvScratchBytes = (m: number, k: number, n: number): number =>
  bytes16(pad4(n) * padK16(k)) + bytes16(m * padK16(k) * 2) + 3 * bytes16(pad4(n) * 4);

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
  return prepareGemv(env, m, k, n, w);
}

/** prepareGemvFloat, or with no scale the int32 sums (MatMulInteger); `refill` re-reads the codes (a B that is not a weight). */
function prepareGemv(env: WasmEnv, m: number, k: number, n: number, w: Omit<GemvWeight, 'scale'> & { readonly scale?: Float32Array }):
  ((xp: number, signed: number, zxp: number, yp: number) => void) & { refill(): void } {
  const kpad = padK16(k), cols = pad4(n);
  const wp = env.scratch(bytes16(cols * kpad)), xrows = env.scratch(bytes16(m * kpad * 2));
  const sp = w.scale ? env.scratch(bytes16(cols * 4)) : 0, zp = w.zeroPoints ? env.scratch(bytes16(cols * 4)) : 0, bp = w.bias ? env.scratch(bytes16(cols * 4)) : 0;
  const buf = env.memory.buffer;
  const wd = new Int8Array(buf, wp, cols * kpad);
  // Wp: row j's code p at block ⌊j/4⌋, chunk ⌊p/16⌋, row j mod 4, lane p mod 16
  const fillCodes = (): void => {
    wd.fill(0);
    for (let j = 0; j < n; j++) {
      const row = (j >> 2) * 4 * kpad + (j & 3) * 16;
      for (let p = 0; p < k; p++) wd[row + (p >> 4) * 64 + (p & 15)] = w.codes[w.rowsAreOutputs ? j * k + p : p * n + j]!;
    }
  };
  const zpView = w.zeroPoints ? new Int32Array(buf, zp, cols) : undefined;
  const refill = (): void => {
    fillCodes();
    if (zpView) zpView.set(w.zeroPoints!);
  };
  refill();
  if (w.scale) new Float32Array(buf, sp, cols).set(w.scale);
  if (w.bias) new Float32Array(buf, bp, cols).set(w.bias);
  const pack = env.exports['i8pack'] as I8Pack, gemv = env.exports['i8gemvFloat'] as I8GemvFloat;
  return Object.assign((xp: number, signed: number, zxp: number, yp: number) => {
    pack(xp, signed, zxp, 0, m, k, k, 1, kpad, xrows);
    gemv(wp, xrows, m, n, kpad, yp, n, sp, zp, bp);
  }, { refill });
}

const NEEDS = 'a MatMulInteger of at most 4 rows of A (2-D or 1-D) by a 2-D int8 B, A\'s zero point per tensor';

/** [M, K] × [K, N] → int32 with M ≤ GEMV_MAX_ROWS, B int8, no batch axes. */
function supportsGemv(node: NodeShapes): boolean {
  const a = node.inputs[0], b = node.inputs[1], y = node.outputs[0];
  if (!a || !b || !y || !isInt8(a.dtype) || b.dtype !== 'int8' || b.packed || y.dtype !== 'int32') return false;
  if (b.shape.length !== 2 || (a.shape.length !== 1 && a.shape.length !== 2)) return false;
  const m = a.shape.length === 1 ? 1 : a.shape[0]!;
  const azp = node.inputs[2];
  return m >= 1 && m <= GEMV_MAX_ROWS && (!azp || azp.shape.reduce((p, d) => p * d, 1) === 1);
}

/**
 * MatMulInteger for a few rows of A (a classifier's gemv): i8gemvFloat's int32 mode, vectorized along
 * K with B's codes read as bytes (i8-matmulinteger-2x4 vectorizes along N over int16 rows).
 */
export const matMulIntegerGemvWasm = int8Kernel({
  op: 'MatMulInteger', tile: '1x4', ref: matMulIntegerRef, needs: NEEDS, supports: supportsGemv,
  scratchBytes(node) {
    if (!supportsGemv(node)) return 0;
    const a = node.inputs[0]!.shape, b = node.inputs[1]!.shape;
    return gemvScratchBytes(a.length === 1 ? 1 : a[0]!, b[0]!, b[1]!);
  },
  prepare(c, env) {
    // The ref kernel has checked types, shapes and zero points.
    const a = c.input(0), b = c.input(1), y = c.output(0);
    const m = a.shape.length === 1 ? 1 : a.shape[0]!, [k, n] = b.shape as [number, number];
    const aZp = c.ctx.inputs[2], bZp = c.ctx.inputs[3];
    const zeroPoints = bZp === undefined ? undefined : Int32Array.from({ length: Math.ceil(n / 4) * 4 }, (_, j) => j < n ? Number(bZp.data[bZp.data.length === 1 ? 0 : j]) : 0);
    // B is packed once when it and its zero point are weights, else at every run.
    const fixed = c.isConstant(1) && (bZp === undefined || c.isConstant(3));
    const withZp = zeroPoints && (!fixed || zeroPoints.some((z) => z !== 0));
    const gemv = prepareGemv(env, m, k, n, { codes: b.data as Int8Array, rowsAreOutputs: false, ...(withZp ? { zeroPoints } : {}) });
    const ap = bytePointer(c, env, a, 'input A'), yp = bytePointer(c, env, y, 'output');
    const azp = aZp === undefined ? 0 : bytePointer(c, env, aZp, "A's zero point");
    const signed = a.dtype === 'int8' ? 1 : 0;
    if (fixed) return () => gemv(ap, signed, azp, yp);
    return () => {
      if (bZp !== undefined) for (let j = 0; j < n; j++) zeroPoints![j] = Number(bZp.data[bZp.data.length === 1 ? 0 : j]);
      gemv.refill();
      gemv(ap, signed, azp, yp);
    };
  },
});
