// What the int8 wasmsimd kernels (qlinearconv.ts, qlinearmatmul.ts, quantizelinear.ts) share:
// their declaration (id `i8-<op>-2x4-wasmsimd`, validation and fallback by the ref kernel), the
// asm/int8.as exports' signatures, byte pointers into the wasm memory, and the requantization tables.

import type { Kernel, NodeShapes, RunFn, WasmEnv } from '../kernel.js';
import { KernelError } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { INT8_TYPES, paramAt } from '../common/quant.js';
import { nodeShapesOf } from './common.js';
import { WASM_INT8 } from './modules/int8.wasm.js';

/** dst[r][k] = src(r, k) − zp(r) as int16, zeros up to kpad (asm/int8.as i8pack). */
export type I8Pack = (src: number, signed: number, zp: number, zpStep: number, rows: number, k: number, rowStride: number, colStride: number, kpad: number, dst: number) => void;
export type I8Gemm = (w: number, x: number, n: number, p: number, kpad: number, y: number, rowY: number, mode: number, bias: number,
  mult: number, zy: number, perCol: number, lo: number, hi: number) => void;

export type I8PackPairs = (w: number, signed: number, zp: number, zpStep: number, n: number, k: number, kpad: number, dst: number) => void;
export type I8Im2colPairs = (x: number, signed: number, zx: number, col: number, tmp: number, cin: number, h: number, w: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, p0: number, pn: number, kpad: number) => void;
/** Xp of a 1×1 conv with unit strides and no padding, straight from x's planes (asm/int8.as i8packPointwise). */
export type I8PackPointwise = (x: number, signed: number, zx: number, col: number, cin: number, p: number, p0: number, pn: number, kpad: number) => void;
export type I8GemmPixels = (w: number, x: number, n: number, p: number, kpad: number, y: number, rowY: number, mode: number, bias: number,
  mult: number, zy: number, lo: number, hi: number, clamp: number) => void;

/** The int16 rows' length: K rounded up to the 8 lanes of one i32x4.dot_i16x8_s. */
export const padK = (k: number): number => Math.ceil(k / 8) * 8;
/** Rows of the X operand i8gemm reads: whole groups of 4 columns. */
export const padCols = (p: number): number => Math.ceil(p / 4) * 4;
export const bytes16 = (n: number): number => Math.ceil(n / 16) * 16;

/** i8gemm's output mode for Y's element type: 0 int32 accumulators, 1 int8, 2 uint8. */
export function gemmMode(dtype: string): { mode: number; lo: number; hi: number } {
  if (dtype === 'int8') return { mode: 1, lo: -128, hi: 127 };
  if (dtype === 'uint8') return { mode: 2, lo: 0, hi: 255 };
  return { mode: 0, lo: 0, hi: 0 };
}

export const isInt8 = (dtype: string | undefined): boolean => dtype === 'int8' || dtype === 'uint8';

/** The byte offset of an 8-bit or int32 view in the wasm memory (int8.as reads bytes unaligned). */
export function bytePointer(c: Checker, env: WasmEnv, v: TensorView, what: string): number {
  if (v.data.buffer !== env.memory.buffer) c.fail(`${what} is not in the model's WebAssembly memory`);
  return v.data.byteOffset;
}

/**
 * A multiplier whose requantized outputs equal m's with no NaN product (asm/int8common.as requant4
 * clamps before it rounds, and a NaN does not clamp): NaN → 0 (every output the zero point, as a
 * NaN product gives), ±∞ → ±float32 max (a nonzero sum saturates as with ∞; a zero sum gives the
 * zero point, as 0 · ∞ = NaN does).
 */
function finiteMultiplier(m: number): number {
  if (Number.isNaN(m)) return 0;
  return m === Infinity ? F32_MAX : m === -Infinity ? -F32_MAX : m;
}
const F32_MAX = 3.4028234663852886e38;

/**
 * mult[t] = float32(float32(aScale(t) · bScale(t)) / yScale(t)) and zy[t] = the zero point, for
 * t < count, each parameter per tensor or read at t: the multiplier the ref kernels compute (made
 * finite: finiteMultiplier), in tables i8gemm reads per row or per column.
 */
export function fillRequant(mult: Float32Array, zy: Int32Array, count: number,
  aScale: TensorView, bScale: TensorView, yScale: TensorView, yZp: TensorView | undefined): void {
  for (let t = 0; t < count; t++) {
    mult[t] = finiteMultiplier(Math.fround(Math.fround(paramAt(aScale, t) * paramAt(bScale, t)) / paramAt(yScale, t)));
    zy[t] = paramAt(yZp, t);
  }
}

/** Where requant4 rounds exactly: |v| ≤ 2^22. */
const ROUNDING_RANGE = 4194304;

/**
 * 1 when a requantized product of this layer may leave ±2^22 (the kernels then clamp before they
 * round), else 0: |mult[t]| · (k·255·255 + |bias[t]|) < 2^22 for every t < count, k products of
 * centred operands (each within ±255) per output. Then the narrowing to the type saturates in
 * place of the clamp (asm/int8common.as requant4Unclamped), the same outputs.
 */
export function requantClamp(mult: Float32Array, count: number, k: number, bias: TensorView | undefined): number {
  for (let t = 0; t < count; t++) {
    const b = bias === undefined ? 0 : Math.abs(Number(bias.data[t]));
    if (!(Math.abs(mult[t]!) * (k * 65025 + b) < ROUNDING_RANGE)) return 1;
  }
  return 0;
}

export interface Int8KernelSpec {
  readonly op: string;
  /** The id's dtype and tile, and the first input's types: by default `i8`, `2x4`, int8 or uint8. */
  readonly dtype?: 'i8' | 'f32';
  readonly tile?: string;
  /** The weight format it reads (dense unless given: `nm` for the N:M conv). */
  readonly format?: Kernel['format'];
  /** The ref kernel: it validates every node first (its checks and messages are the spec's) and runs without a WasmEnv. */
  readonly ref: Kernel;
  readonly needs: string;
  supports(node: NodeShapes): boolean;
  scratchBytes(node: NodeShapes): number;
  prepare(c: Checker, env: WasmEnv): RunFn;
}

/** An int8 wasmsimd kernel: `i8-<op>-2x4-wasmsimd` over int8 or uint8 inputs (QuantizeLinear: `f32-…`, over float32). */
export function int8Kernel(spec: Int8KernelSpec): Kernel {
  const { op, ref, supports, scratchBytes } = spec;
  const dtype = spec.dtype ?? 'i8';
  return defineKernel({
    dtype, op, target: 'wasmsimd', tile: spec.tile ?? '2x4', ...(spec.format ? { format: spec.format } : {}), dtypes: dtype === 'i8' ? INT8_TYPES : ['float32'], supports, scratchBytes,
    wasmModules: [WASM_INT8],
    prepare(c) {
      const id = c.kernelId;
      let refRun: RunFn;
      try {
        refRun = ref.prepare(c.ctx);
      } catch (e) {
        // Errors name this kernel (the artifact's id) as well as the one that checked.
        if (e instanceof KernelError) e.message = e.message.replace(`(kernel ${ref.id})`, `(kernel ${id} as ${ref.id})`);
        throw e;
      }
      const env = c.ctx.wasm;
      if (!env) return refRun;
      if (!supports(nodeShapesOf(c.ctx))) c.fail(`unsupported node: the kernel needs ${spec.needs}`);
      return spec.prepare(c, env);
    },
  });
}
