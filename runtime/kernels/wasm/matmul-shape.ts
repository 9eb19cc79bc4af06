// Shapes and the packed-panel layout the wasmsimd MatMul and Gemm kernels share (dense, CSR, N:M,
// row-block, gemv): a file of no kernel family, so importing a helper embeds no WebAssembly module
// and no other kernel.

import type { NodeShapes } from '../kernel.js';
import { f32Bytes } from './common.js';

/** Rows R, K and N when A has rank ≥ 2, B is 2-D and Y = [...A[:-1], N]. */
export function dims(node: NodeShapes): { r: number; k: number; n: number } | undefined {
  const [a, b] = node.inputs;
  const y = node.outputs[0];
  if (!a || !b || !y || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length !== 2) return undefined;
  const k = a.shape[a.shape.length - 1]!, n = b.shape[1]!;
  if (b.shape[0] !== k || y.shape.length !== a.shape.length || y.shape[y.shape.length - 1] !== n) return undefined;
  if (a.shape.slice(0, -1).some((d, i) => d !== y.shape[i])) return undefined;
  return { r: a.shape.slice(0, -1).reduce((p, d) => p * d, 1), k, n };
}

/**
 * When the 2-D product runs on packed panels of B: B of at least PANEL_MIN_BYTES (beyond cache,
 * where gemm4x8's walk of B strides K rows of N floats per 8 columns) and A of at least 8 rows
 * (a computed B is packed on every run, which reads and writes it once; a weight B once at prepare). Measured with B out of cache (12 Bs in turn, load
 * ~24): [128×768]·[768×3072] 24.4 ms → 18.3 ms with the packing; [32×128]·[128×512] 0.124 ms →
 * 0.136 ms, so small B stays on gemm4x8. Both sum in the same order: outputs are bit-identical.
 */
const PANEL_MIN_BYTES = 1 << 20;
const PANEL_MIN_ROWS = 8;
export const usesPanels = (d: { r: number; k: number; n: number }): boolean => d.r >= PANEL_MIN_ROWS && d.k * d.n * 4 >= PANEL_MIN_BYTES;

export type GemmPanels = (a: number, bp: number, y: number, m: number, k: number, n: number, lo: number, hi: number) => void;
export type PackPanels8 = (b: number, bp: number, k: number, n: number) => void;

/** Bytes of B packed in 8-column panels (asm/panel.as packPanels8). */
export const panelBytes = (k: number, n: number): number => f32Bytes(Math.ceil(n / 8) * 8 * k);
