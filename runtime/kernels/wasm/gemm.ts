// wasmsimd Gemm, Y = alpha·op(A)·op(B) + beta·C, fused relu/clip, as the pixel-contiguous
// product Y[N'][P] = W[N'][K] · X[K][P] of asm/dense.as:
//
//   dense transB = 0:  Y[M][N]   = op(A)[M][K] · B[K][N]        W = op(A) (A transposed into scratch when transA), X = B
//   dense transB = 1:  Yᵀ[N][M]  = B[N][K] · op(A)ᵀ[K][M]       W = B in place, X = op(A)ᵀ (scratch unless transA or M = 1);
//                                                               M = 1: gemv1 (vectorized over K, one row of B at a time)
//     B a weight, M > 1, no transA:  Y[M][N] = A · Bᵀ             Bᵀ laid out once at prepare (8-column panels when
//                                                               large, as wasm/matmul.ts), then the transB = 0 product
//                                                               on A in place: no per-run transposes of A and Yᵀ
//   (csr: gemm-csr.ts, N:M: gemm-nm.ts, gemv-nm.ts; shapes and the output pass they share: gemm-shape.ts)
//
// Yᵀ goes to scratch and comes back transposed (M = 1 writes Y directly); alpha, C and the clamp
// run in the kernel when alpha = 1 and there is no C, otherwise in one js pass over Y.

import type { Kernel, RunFn, WasmEnv } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { broadcastStrides } from '../common/broadcast.js';
import { EPILOGUES, epilogueClamp } from '../common/epilogue.js';
import { GEMM_JS_KERNELS } from '../js/gemm.js';
import type { Gemm4x8 } from './common.js';
import { f32Bytes, gemmOutput, nodeShapesOf, pointer, scratchF32, transpose, wasmKernel } from './common.js';
import type { Dims, GemmOut } from './gemm-shape.js';
import { aTransposed, dims, outputPass, supportsGemm } from './gemm-shape.js';
import type { GemmPanels } from './matmul-shape.js';
import { panelBytes, usesPanels } from './matmul-shape.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

const NEEDS = 'a float32 Gemm with 2-D A and B';

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

export const GEMM_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmWasm);
