// wasmsimd Gemm with an nm or bsr B (the weight, packed as W[N][K] whatever transB says),
// Y = alpha·op(A)·op(B) + beta·C, fused relu/clip, with the row-block tile of asm/rowblock.as:
//
//   f32-gemmnm-4x8-wasmsimd, f32-gemmbsr-4x8-wasmsimd (and -relu, -clip):
//     Yᵀ[N][M] = W[N][K] · op(A)ᵀ[K][M]     spmm4x8, column k at byte k·M·4 of op(A)ᵀ
//     op(A)ᵀ: A itself when transA or M = 1, else transposed into scratch per run (transposeF32,
//     SIMD 4×4 blocks); Yᵀ: Y itself when M = 1, else scratch, transposed back by transposeF32
//     when the kernel did alpha, C and the clamp, else by the js output pass.
//   alpha = 1 with no C, or with C a bias over N (shape [N] or [1, N], beta = 1, in wasm memory):
//   bias and clamp in the kernel. scratch = staged weight (rowblock.ts) | op(A)ᵀ | Yᵀ

import type { Kernel, NodeShapes, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { GEMM_SPARSE_JS_KERNELS } from '../js/gemm-sparse.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import { f32Bytes, gemmOutput, pointer, scratchF32, wasmKernel } from './common.js';
import type { Spmm4x8, TransposeF32 } from './rowblock.js';
import { rowBlockBytes, rowBlocks, stageRowBlocks } from './rowblock.js';
import { WASM_ROWBLOCK } from './modules/rowblock.wasm.js';

const NEEDS = 'a float32 Gemm with 2-D A and B';

/** M, K, N of a float32 Gemm with 2-D A and B. */
function dims(node: NodeShapes): { m: number; k: number; n: number; transA: boolean } | undefined {
  const [a, b] = node.inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 2 || b.shape.length !== 2) return undefined;
  const transA = (node.attrs['transA'] ?? 0) !== 0, transB = (node.attrs['transB'] ?? 0) !== 0;
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  return { m, k, n: transB ? b.shape[0]! : b.shape[1]!, transA };
}

function gemmRowBlockWasm(format: 'nm' | 'bsr', epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_ROWBLOCK],
    tile: '4x8', rowBlock: 4, op: 'Gemm', epilogue, format, needs: NEEDS,
    js: GEMM_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === format)!,
    supports: (node) => dims(node) !== undefined,
    scratchBytes(node) {
      const d = dims(node)!;
      return rowBlockBytes(node.inputs[1]?.packed) + (d.transA || d.m === 1 ? 0 : f32Bytes(d.k * d.m)) + (d.m === 1 ? 0 : f32Bytes(d.n * d.m));
    },
    prepare(c, env): RunFn {
      const { a, y, cd, cRow, cCol, packed, m, k, n, alpha, beta, lo, hi } = planSparseGemm(c, format, epilogue);
      const transA = c.int('transA', 0) !== 0;
      const rb = rowBlocks(c, packed);
      const { wts, offs, cnt } = stageRowBlocks(env, rb, (col) => col * m * 4);
      const spmm = env.exports['spmm4x8'] as Spmm4x8;
      // C as the kernel's bias: one value per output feature j (= a W row), alpha = beta = 1.
      const cv = c.ctx.inputs[2];
      const biasC = cv !== undefined && alpha === 1 && beta === 1 && cRow === 0 && (cCol === 1 || n === 1)
        && cv.data.buffer === env.memory.buffer && cv.data.byteOffset % 4 === 0;
      const bp = biasC ? cv.data.byteOffset : 0;
      const inKernel = alpha === 1 && (cd === undefined || biasC);
      const [klo, khi] = inKernel ? [lo, hi] : [-Infinity, Infinity];
      const yd = y.data as Float32Array;
      const transpose = env.exports['transposeF32'] as TransposeF32;
      const ap = pointer(c, env, a, 'input A');
      const xp = transA || m === 1 ? ap : env.scratch(k * m * 4);
      const fill = xp === ap ? (): void => {} : (): void => transpose(ap, xp, m, k);
      if (m === 1) {
        const yp = pointer(c, env, y, 'output');
        if (inKernel) return () => spmm(wts, offs, cnt, xp, yp, bp, n, k, 1, klo, khi);
        return () => {
          spmm(wts, offs, cnt, xp, yp, 0, n, k, 1, klo, khi);
          gemmOutput(1, n, yd, n, 1, yd, alpha, beta, cd, cRow, cCol, lo, hi);
        };
      }
      const yt = scratchF32(env, n * m);
      if (inKernel) {
        const yp = pointer(c, env, y, 'output');
        return () => {
          fill();
          spmm(wts, offs, cnt, xp, yt.byteOffset, bp, n, k, m, klo, khi);
          transpose(yt.byteOffset, yp, n, m);
        };
      }
      return () => {
        fill();
        spmm(wts, offs, cnt, xp, yt.byteOffset, 0, n, k, m, klo, khi);
        gemmOutput(m, n, yt, 1, m, yd, alpha, beta, cd, cRow, cCol, lo, hi);
      };
    },
  });
}

export const GEMM_ROWBLOCK_WASM_KERNELS: readonly Kernel[] =
  (['nm', 'bsr'] as const).flatMap((f) => EPILOGUES.map((e) => gemmRowBlockWasm(f, e)));
