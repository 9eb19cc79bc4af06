// Shapes and the input/output sides the wasmsimd Gemm kernels share (dense, CSR, N:M, gemv): a file
// of no kernel family, so importing a helper embeds no WebAssembly module and no other kernel.

import type { NodeShapes, WasmEnv } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { gemmOutput, pointer, scratchF32, transpose } from './common.js';

export interface Dims { m: number; k: number; n: number; transA: boolean; transB: boolean }

export function dims(node: NodeShapes): Dims | undefined {
  const [a, b] = node.inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 2 || b.shape.length !== 2) return undefined;
  const transA = (node.attrs['transA'] ?? 0) !== 0, transB = (node.attrs['transB'] ?? 0) !== 0;
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const n = transB ? b.shape[0]! : b.shape[1]!;
  return { m, k, n, transA, transB };
}

export const supportsGemm = (node: NodeShapes): boolean => dims(node) !== undefined;

/** The output side of a Gemm: alpha, beta·C broadcast to [M, N] (strides cRow, cCol), the clamp. */
export interface GemmOut {
  readonly y: TensorView;
  readonly alpha: number;
  readonly beta: number;
  readonly cd: Float32Array | undefined;
  readonly cRow: number;
  readonly cCol: number;
  readonly lo: number;
  readonly hi: number;
}

/** op(A)ᵀ as a [K][M] pointer: A itself when transA or M = 1, else a per-run transpose into scratch. */
export function aTransposed(c: Checker, env: WasmEnv, d: Dims, ad: Float32Array): { ptr: number; fill: () => void } {
  const a = c.ctx.inputs[0]!;
  if (d.transA || d.m === 1) return { ptr: pointer(c, env, a, 'input A'), fill: () => {} };
  const t = scratchF32(env, d.k * d.m);
  return { ptr: t.byteOffset, fill: () => transpose(ad, d.m, d.k, t) };
}

/** Where Yᵀ[N][M] goes and how it becomes Y: in place when M = 1, else scratch plus the output pass. */
export function outputPass(c: Checker, env: WasmEnv, d: Dims, inKernel: boolean, plan: GemmOut): { ptr: number; finish: () => void } {
  const { y, alpha, beta, cd, cRow, cCol, lo, hi } = plan;
  const yd = y.data as Float32Array;
  if (d.m === 1) {
    return { ptr: pointer(c, env, y, 'output'), finish: inKernel ? () => {} : () => gemmOutput(1, d.n, yd, d.n, 1, yd, alpha, beta, cd, cRow, cCol, lo, hi) };
  }
  const t = scratchF32(env, d.n * d.m);
  return { ptr: t.byteOffset, finish: () => gemmOutput(d.m, d.n, t, 1, d.m, yd, alpha, beta, cd, cRow, cCol, lo, hi) };
}
