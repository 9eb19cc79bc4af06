// wasmsimd Gemm, Y = alpha·op(A)·op(B) + beta·C, fused relu/clip, as the pixel-contiguous
// product Y[N'][P] = W[N'][K] · X[K][P] of asm/dense.as:
//
//   dense transB = 0:  Y[M][N]   = op(A)[M][K] · B[K][N]        W = op(A) (A transposed into scratch when transA), X = B
//   dense transB = 1:  Yᵀ[N][M]  = B[N][K] · op(A)ᵀ[K][M]       W = B in place, X = op(A)ᵀ (scratch unless transA or M = 1);
//                                                               M = 1: gemv1 (vectorized over K, one row of B at a time)
//     B a weight, M > 1, no transA:  Y[M][N] = A · Bᵀ             Bᵀ laid out once at prepare (8-column panels when
//                                                               large, as wasm/matmul.ts), then the transB = 0 product
//                                                               on A in place: no per-run transposes of A and Yᵀ
//   csr:               Yᵀ[N][M]  = Wcsr[N][K] · op(A)ᵀ[K][M]    spmm24x1; scratch = entries (value, col·M·4) | nnz[N] | X | Yᵀ
//
// Yᵀ goes to scratch and comes back transposed (M = 1 writes Y directly); alpha, C and the clamp
// run in the kernel when alpha = 1 and there is no C, otherwise in one js pass over Y.

import type { Kernel, NodeShapes, RunFn, WasmEnv } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { broadcastStrides } from '../common/broadcast.js';
import { EPILOGUES, epilogueClamp } from '../common/epilogue.js';
import { GEMM_JS_KERNELS } from '../js/gemm.js';
import { GEMM_SPARSE_JS_KERNELS } from '../js/gemm-sparse.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import type { Gemm4x8, Spmm24x1 } from './common.js';
import { f32Bytes, stageCsr, stagedCsrBytes, gemmOutput, nodeShapesOf, pointer, scratchF32, transpose, wasmKernel } from './common.js';
import { WASM_CSR } from './modules/csr.wasm.js';
import { WASM_DENSE } from './modules/dense.wasm.js';
import type { GemmPanels } from './matmul.js';
import { panelBytes, usesPanels } from './matmul.js';

const NEEDS = 'a float32 Gemm with 2-D A and B';

interface Dims { m: number; k: number; n: number; transA: boolean; transB: boolean }

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

/** Checks a dense Gemm node (A, B float32 2-D, inner dimensions, output shape, C broadcast). */
function planDense(c: Checker, epilogue: Kernel['epilogue']): GemmOut & { a: TensorView; b: TensorView } {
  const a = c.input(0, ['float32']), b = c.input(1, ['float32']), cIn = c.optionalInput(2, ['float32']);
  const y = c.output(0, ['float32']);
  const { lo, hi } = epilogueClamp(c, epilogue);
  const alpha = c.float('alpha', 1), beta = c.float('beta', 1);
  const d = dims(nodeShapesOf(c.ctx))!;
  const kb = d.transB ? b.shape[1]! : b.shape[0]!;
  if (d.k !== kb) c.fail(`inner dimensions differ: ${d.k} vs ${kb}`);
  c.shapeIs(y, [d.m, d.n], 'output');
  let cRow = 0, cCol = 0;
  if (cIn !== undefined) {
    const s = broadcastStrides(cIn.shape, [d.m, d.n]);
    if (s === undefined) c.fail(`C shape [${cIn.shape.join(',')}] does not broadcast to [${d.m},${d.n}]`);
    [cRow, cCol] = s as [number, number];
  }
  return { a, b, y, alpha, beta, cd: cIn?.data as Float32Array | undefined, cRow, cCol, lo, hi };
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

function gemmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '4x8', op: 'Gemm', epilogue, needs: NEEDS,
    js: GEMM_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: supportsGemm,
    scratchBytes(node) {
      const d = dims(node)!;
      if (!d.transB) return d.transA ? f32Bytes(d.m * d.k) : 0;
      const perRun = (d.transA || d.m === 1 ? 0 : f32Bytes(d.k * d.m)) + (d.m === 1 ? 0 : f32Bytes(d.n * d.m));
      // Whether B is a weight is known only at prepare: room for either form.
      return d.transA || d.m === 1 ? perRun : Math.max(perRun, bLaidOutBytes(d));
    },
    prepare(c, env): RunFn {
      const plan = planDense(c, epilogue);
      const d = dims(nodeShapesOf(c.ctx))!;
      const { a, b, y, alpha, beta, cd, cRow, cCol, lo, hi } = plan;
      const ad = a.data as Float32Array, yd = y.data as Float32Array;
      const gemm = env.exports['gemm4x8'] as Gemm4x8;
      const inKernel = alpha === 1 && cd === undefined;
      const [klo, khi] = inKernel ? [lo, hi] : [-Infinity, Infinity];
      const bp = pointer(c, env, b, 'input B');
      if (!d.transB) {
        const yp = pointer(c, env, y, 'output');
        let wp = 0, fill = (): void => {};
        if (d.transA) {
          const t = scratchF32(env, d.m * d.k);
          wp = t.byteOffset;
          fill = () => transpose(ad, d.k, d.m, t);
        } else wp = pointer(c, env, a, 'input A');
        return () => {
          fill();
          gemm(wp, bp, yp, 0, d.m, d.k, d.n, klo, khi);
          if (!inKernel) gemmOutput(d.m, d.n, yd, d.n, 1, yd, alpha, beta, cd, cRow, cCol, lo, hi);
        };
      }
      if (d.m > 1 && !d.transA && c.isConstant(1)) {
        const product = weightBProduct(env, d, b.data as Float32Array, pointer(c, env, a, 'input A'), pointer(c, env, y, 'output'), klo, khi);
        return () => {
          product();
          if (!inKernel) gemmOutput(d.m, d.n, yd, d.n, 1, yd, alpha, beta, cd, cRow, cCol, lo, hi);
        };
      }
      const x = aTransposed(c, env, d, ad);
      const out = outputPass(c, env, d, inKernel, plan);
      if (d.m === 1) {
        // one row of A (a classifier head): gemv1, vectorized over K
        const gemv = env.exports['gemv1'] as Gemv1;
        return () => {
          gemv(bp, x.ptr, out.ptr, 0, d.n, d.k, klo, khi);
          out.finish();
        };
      }
      return () => {
        x.fill();
        gemm(bp, x.ptr, out.ptr, 0, d.n, d.k, d.m, klo, khi);
        out.finish();
      };
    },
  });
}

/** Scratch of a weight B [N][K] laid out as Bᵀ [K][N] for A·Bᵀ: in 8-column panels when large, else row-major. */
const bLaidOutBytes = (d: Dims): number => (usesPanels({ r: d.m, k: d.k, n: d.n }) ? panelBytes(d.k, d.n) : f32Bytes(d.k * d.n));

/**
 * Y[M][N] = A[M][K] · Bᵀ for a weight B [N][K]: Bᵀ written once here, into scratch (gemm4x8 reads
 * it as its X) or, when large, packed in 8-column panels (gemmPanels; the row-major Bᵀ is then a
 * temporary). Each output sums over k in order as the Yᵀ form did: the same values.
 */
function weightBProduct(env: WasmEnv, d: Dims, bd: Float32Array, ap: number, yp: number, lo: number, hi: number): () => void {
  const { m, k, n } = d;
  if (!usesPanels({ r: m, k, n })) {
    const bt = scratchF32(env, k * n);
    transpose(bd, n, k, bt);
    const gemm = env.exports['gemm4x8'] as Gemm4x8;
    return () => gemm(ap, bt.byteOffset, yp, 0, m, k, n, lo, hi);
  }
  // packPanels8's layout written straight from B's rows: panel j, row k holds Bᵀ[k][8j..8j+7] = B[8j..8j+7][k], zeros past N
  const panels = scratchF32(env, panelBytes(k, n) / 4).fill(0);
  for (let j = 0; j < Math.ceil(n / 8); j++) {
    for (let c = 0; c < 8 && 8 * j + c < n; c++) {
      const row = (8 * j + c) * k, at = j * k * 8 + c;
      for (let kk = 0; kk < k; kk++) panels[at + kk * 8] = bd[row + kk]!;
    }
  }
  const product = env.exports['gemmPanels'] as GemmPanels;
  return () => product(ap, panels.byteOffset, yp, m, k, n, lo, hi);
}

type Gemv1 = (w: number, x: number, y: number, b: number, n: number, k: number, lo: number, hi: number) => void;

function gemmCsrWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_CSR],
    tile: '24x1', op: 'Gemm', epilogue, format: 'csr', needs: NEEDS,
    js: GEMM_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'csr')!,
    supports: (node) => node.inputs[1]?.packed?.format !== 'bsr' && node.inputs[1]?.packed?.format !== 'nm' && supportsGemm(node),
    scratchBytes(node) {
      const d = dims(node)!;
      const nnz = node.inputs[1]?.packed?.values.length ?? 0;
      return stagedCsrBytes(nnz, d.n) + (d.transA || d.m === 1 ? 0 : f32Bytes(d.k * d.m)) + (d.m === 1 ? 0 : f32Bytes(d.n * d.m));
    },
    prepare(c, env): RunFn {
      const plan = planSparseGemm(c, 'csr', epilogue);
      const d = dims(nodeShapesOf(c.ctx))!;
      const { entries, counts } = stageCsr(c, env, plan.packed, d.n, (col) => col * d.m * 4);
      const { alpha, cd, lo, hi } = plan;
      const inKernel = alpha === 1 && cd === undefined;
      const [klo, khi] = inKernel ? [lo, hi] : [-Infinity, Infinity];
      const spmm = env.exports['spmm24x1'] as Spmm24x1;
      const x = aTransposed(c, env, d, plan.a.data as Float32Array);
      const out = outputPass(c, env, d, inKernel, plan);
      return () => {
        x.fill();
        spmm(entries, counts, x.ptr, out.ptr, 0, d.n, d.m, d.m * 4, klo, khi);
        out.finish();
      };
    },
  });
}

export const GEMM_WASM_KERNELS: readonly Kernel[] = [...EPILOGUES.map(gemmWasm), ...EPILOGUES.map(gemmCsrWasm)];
