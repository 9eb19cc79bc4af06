// The quantization grids spc stores weights on (--quantize): int8 symmetric per output channel
// (scale = max|w|/127, zero point 0, codes in [−127, 127]) and float16. One home for the scale
// rule, the rounding and the error measure (SQNR), read by the quantize-weights pass and by
// SparseGPT's column loop when it quantizes jointly (GPTQ).

import { fromFloat16Bits, toFloat16Bits } from '../../runtime/float16.js';
import { roundHalfEven } from '../../runtime/quant/stored.js';

/**
 * What --quantize stores: int8 codes with per-channel scales (int8-weights: weight-only; int8:
 * static, activations per tensor from calibration too, run by the int8 kernels), or half-precision floats.
 */
export type QuantizeMode = 'int8' | 'int8-weights' | 'fp16';
export const QUANTIZE_MODES: readonly QuantizeMode[] = ['int8', 'int8-weights', 'fp16'];

/** Whether `mode` puts the weights on the int8 grid (both int8 modes store the same weights). */
export function int8Weights(mode: QuantizeMode | undefined): boolean {
  return mode === 'int8' || mode === 'int8-weights';
}

/** Largest int8 code used: symmetric, so −128 never occurs and a code's negation is a code. */
export const INT8_LEVELS = 127;

/** The float32 scale of a channel whose largest magnitude is `absmax`; 1 for an all-zero channel (any scale stores zeros). */
export function int8Scale(absmax: number): number {
  const s = Math.fround(absmax / INT8_LEVELS);
  return s > 0 && Number.isFinite(s) ? s : 1;
}

/** The int8 code of `x` at scale `s`, clamped to ±INT8_LEVELS. */
export function int8Code(x: number, s: number): number {
  return Math.max(-INT8_LEVELS, Math.min(INT8_LEVELS, roundHalfEven(x / s)));
}

/** `x` on the int8 grid of scale `s`: the float32 the runtime dequantizes its code to. */
export function onInt8Grid(x: number, s: number): number {
  return Math.fround(int8Code(x, s) * s);
}

/** `x` rounded to the nearest float16, as a float32. */
export function onFloat16Grid(x: number): number {
  return fromFloat16Bits(toFloat16Bits(x));
}

/** Per-row scales of a row-major rows×cols matrix (rows = output channels). */
export function int8RowScales(matrix: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(matrix[r * cols + c]!));
    scales[r] = int8Scale(m);
  }
  return scales;
}

/** Signal and noise energies of a quantization, summed as it goes (the GPTQ loop adds per column). */
export interface QuantNoise {
  signal: number;
  noise: number;
}

/** Signal-to-quantization-noise ratio in dB, 10·log10(Σw² / Σ(w − ŵ)²); Infinity when exact. */
export function sqnrDb(n: QuantNoise): number {
  if (n.noise === 0) return Infinity;
  return 10 * Math.log10(n.signal / n.noise);
}

/** The noise of replacing `before` by `after` (same length). */
export function quantNoise(before: ArrayLike<number>, after: ArrayLike<number>): QuantNoise {
  let signal = 0, noise = 0;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    const e = w - after[i]!;
    signal += w * w;
    noise += e * e;
  }
  return { signal, noise };
}
