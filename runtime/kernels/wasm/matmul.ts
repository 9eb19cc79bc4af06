// wasmsimd MatMul with a 2-D B (the weight of a Linear layer), A of rank ≥ 2 whose leading axes
// are flattened into rows, fused relu/clip:
//
//   dense  f32-matmul-4x8-wasmsimd:     Y[R][N] = A[R][K] · B[K][N]          gemm4x8 in place, no copies; a B of 1 MiB or
//                                                                             more (BERT's 768×3072) with R ≥ 8: gemmPanels
//                                                                             (asm/panel.as) over B packed into 8-column
//                                                                             panels in scratch: once at prepare when B is a
//                                                                             weight (ctx.constants), else on every run
//   csr    f32-matmulcsr-24x1-wasmsimd: Yᵀ[N][R] = Wcsr[N][K] · Aᵀ[K][R]     spmm24x1; scratch = entries | nnz | Aᵀ | Yᵀ
//
// (R = rows of A over all leading axes; Yᵀ comes back transposed with the clamp, R = 1 in place.)
// The dense kernel also takes a batched B of A's rank with the same batch axes (attention's
// Q·Kᵀ and P·V): gemm4x8 once per batch. Broadcasting batch axes are refused by `supports`, so
// selection keeps the js kernel for them.

import type { Kernel, NodeShapes, RunFn } from '../kernel.js';
import { EPILOGUES, epilogueClamp } from '../common/epilogue.js';
import { MATMUL_JS_KERNELS } from '../js/matmul.js';
import { MATMUL_SPARSE_JS_KERNELS } from '../js/matmul-sparse.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import type { Gemm4x8, Spmm24x1 } from './common.js';
import { f32Bytes, stageCsr, stagedCsrBytes, gemmOutput, pointer, scratchF32, transpose, wasmKernel } from './common.js';
import { WASM_CSR } from './modules/csr.wasm.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

const NEEDS = 'a float32 MatMul of A (rank ≥ 2) by a 2-D B, or by a B with the same batch axes as A';

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

/** Batch T, rows R, K and N when A = [...T, R, K], B = [...T, K, N] (same batch axes, no broadcast) and Y = [...T, R, N]. */
function batchedDims(node: NodeShapes): { t: number; r: number; k: number; n: number } | undefined {
  const [a, b] = node.inputs;
  const y = node.outputs[0];
  if (!a || !b || !y || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const rank = a.shape.length;
  if (rank < 3 || b.shape.length !== rank || y.shape.length !== rank) return undefined;
  const batch = a.shape.slice(0, -2);
  if (batch.some((d, i) => d !== b.shape[i] || d !== y.shape[i])) return undefined;
  const r = a.shape[rank - 2]!, k = a.shape[rank - 1]!, n = b.shape[rank - 1]!;
  if (b.shape[rank - 2] !== k || y.shape[rank - 2] !== r || y.shape[rank - 1] !== n) return undefined;
  return { t: batch.reduce((p, d) => p * d, 1), r, k, n };
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

function matmulWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '4x8', op: 'MatMul', epilogue, needs: NEEDS,
    js: MATMUL_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: (node) => dims(node) !== undefined || batchedDims(node) !== undefined,
    scratchBytes(node) {
      const d = node.inputs[1]?.shape.length === 2 ? dims(node) : undefined;
      return d && usesPanels(d) ? panelBytes(d.k, d.n) : 0;
    },
    prepare(c, env): RunFn {
      const a = c.input(0, ['float32']), b = c.input(1, ['float32']), y = c.output(0, ['float32']);
      const { lo, hi } = epilogueClamp(c, epilogue);
      const node = { inputs: [a, b], outputs: [y], attrs: c.ctx.attrs };
      const ap = pointer(c, env, a, 'input A'), bp = pointer(c, env, b, 'input B'), yp = pointer(c, env, y, 'output');
      const gemm = env.exports['gemm4x8'] as Gemm4x8;
      const batched = b.shape.length > 2 ? batchedDims(node) : undefined;
      if (batched) {
        const { t, r, k, n } = batched;
        const aStep = r * k * 4, bStep = k * n * 4, yStep = r * n * 4;
        return () => {
          for (let i = 0; i < t; i++) gemm(ap + i * aStep, bp + i * bStep, yp + i * yStep, 0, r, k, n, lo, hi);
        };
      }
      const { r, k, n } = dims(node) ?? c.fail(`unsupported node: the kernel needs ${NEEDS}`);
      if (!usesPanels({ r, k, n })) return () => gemm(ap, bp, yp, 0, r, k, n, lo, hi);
      const panels = env.scratch(panelBytes(k, n));
      const pack = env.exports['packPanels8'] as PackPanels8, product = env.exports['gemmPanels'] as GemmPanels;
      if (c.isConstant(1)) {
        pack(bp, panels, k, n);
        return () => product(ap, panels, yp, r, k, n, lo, hi);
      }
      return () => {
        pack(bp, panels, k, n);
        product(ap, panels, yp, r, k, n, lo, hi);
      };
    },
  });
}

function matmulCsrWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_CSR],
    tile: '24x1', op: 'MatMul', epilogue, format: 'csr', needs: NEEDS,
    js: MATMUL_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'csr')!,
    supports: (node) => node.inputs[1]?.packed?.format !== 'bsr' && node.inputs[1]?.packed?.format !== 'nm' && dims(node) !== undefined,
    scratchBytes(node) {
      const d = dims(node)!;
      const nnz = node.inputs[1]?.packed?.values.length ?? 0;
      return stagedCsrBytes(nnz, d.n) + (d.r === 1 ? 0 : f32Bytes(d.k * d.r) + f32Bytes(d.n * d.r));
    },
    prepare(c, env): RunFn {
      const { a, y, packed, rows: r, k, n, lo, hi } = planSparseMatMul(c, 'csr', epilogue);
      const { entries, counts } = stageCsr(c, env, packed, n, (col) => col * r * 4);
      const spmm = env.exports['spmm24x1'] as Spmm24x1;
      const ad = a.data as Float32Array, yd = y.data as Float32Array;
      if (r === 1) {
        const ap = pointer(c, env, a, 'input A'), yp = pointer(c, env, y, 'output');
        return () => spmm(entries, counts, ap, yp, 0, n, 1, 4, lo, hi);
      }
      const at = scratchF32(env, k * r), yt = scratchF32(env, n * r);
      return () => {
        transpose(ad, r, k, at);
        spmm(entries, counts, at.byteOffset, yt.byteOffset, 0, n, r, r * 4, -Infinity, Infinity);
        gemmOutput(r, n, yt, 1, r, yd, 1, 0, undefined, 0, 0, lo, hi);
      };
    },
  });
}

export const MATMUL_WASM_KERNELS: readonly Kernel[] = [...EPILOGUES.map(matmulWasm), ...EPILOGUES.map(matmulCsrWasm)];
