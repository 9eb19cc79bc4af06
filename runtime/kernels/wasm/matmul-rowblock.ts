// wasmsimd MatMul of A (rank ≥ 2, leading axes flattened into R rows) by an nm or bsr B[K][N]
// (packed as W[N][K] = Bᵀ), fused relu/clip, with the row-block tile of asm/rowblock.as:
//
//   f32-matmulnm-4x8-wasmsimd, f32-matmulbsr-4x8-wasmsimd (and -relu, -clip):
//     Yᵀ[N][R] = W[N][K] · Aᵀ[K][R]     spmm4x8, column k at byte k·R·4 of Aᵀ
//   R = 1: A and Y in place; otherwise Aᵀ and Yᵀ in scratch, transposed per run by transposeF32
//   (SIMD 4×4 blocks), the clamp in the kernel. scratch = staged weight (rowblock.ts) | Aᵀ | Yᵀ

import type { Kernel, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { MATMUL_SPARSE_JS_KERNELS } from '../js/matmul-sparse.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import type { Spmm4x8, TransposeF32 } from './rowblock.js';
import { rowBlockBytes, rowBlocks, stageRowBlocks } from './rowblock.js';
import { dims } from './matmul-shape.js';
import { WASM_ROWBLOCK } from './modules/rowblock.wasm.js';

const NEEDS = 'a float32 MatMul of A (rank ≥ 2) by a 2-D B';

function matmulRowBlockWasm(format: 'nm' | 'bsr', epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_ROWBLOCK],
    tile: '4x8', rowBlock: 4, op: 'MatMul', epilogue, format, needs: NEEDS,
    js: MATMUL_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === format)!,
    supports: (node) => dims(node) !== undefined,
    scratchBytes(node) {
      const d = dims(node)!;
      return rowBlockBytes(node.inputs[1]?.packed) + (d.r === 1 ? 0 : f32Bytes(d.k * d.r) + f32Bytes(d.n * d.r));
    },
    prepare(c, env): RunFn {
      const { a, y, packed, rows: r, k, n, lo, hi } = planSparseMatMul(c, format, epilogue);
      const rb = rowBlocks(c, packed);
      const { wts, offs, cnt } = stageRowBlocks(env, rb, (col) => col * r * 4);
      const spmm = env.exports['spmm4x8'] as Spmm4x8;
      if (r === 1) {
        const ap = pointer(c, env, a, 'input A'), yp = pointer(c, env, y, 'output');
        return () => spmm(wts, offs, cnt, ap, yp, 0, n, k, 1, lo, hi);
      }
      const ap = pointer(c, env, a, 'input A'), yp = pointer(c, env, y, 'output');
      const at = env.scratch(k * r * 4), yt = env.scratch(n * r * 4);
      const transpose = env.exports['transposeF32'] as TransposeF32;
      return () => {
        transpose(ap, at, r, k);
        spmm(wts, offs, cnt, at, yt, 0, n, k, r, lo, hi);
        transpose(yt, yp, n, r);
      };
    },
  });
}

export const MATMUL_ROWBLOCK_WASM_KERNELS: readonly Kernel[] =
  (['nm', 'bsr'] as const).flatMap((f) => EPILOGUES.map((e) => matmulRowBlockWasm(f, e)));
