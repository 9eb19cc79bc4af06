// wasmsimd MatMul of A (rank ≥ 2, R ≥ 2 rows over its leading axes) by a standard (per-row) N:M B,
// packed as W[N][K] = Bᵀ: f32-matmulnm-24x1-wasmsimd (and -relu, -clip), the MatMul form of the
// Gemm and Conv N:M kernels (asm/nm.as spmmNm: one broadcast kept weight × 24 rows of Aᵀ):
//
//   Yᵀ[N][R] = Wnm[N][K] · Aᵀ[K][R]     slot offsets k·R·4 into Aᵀ
//   Aᵀ and Yᵀ in scratch, transposed per run by transposeF32 (SIMD 4×4 blocks), the clamp in spmmNm
//   scratch = slots (nm-stage.ts stageNm) | Aᵀ | Yᵀ
//
// One row of A runs the 1x4 gemv kernel (wasm/gemv-nm.ts). A swizzle form over A in place (each
// kept weight one lane of a 4-feature vector, A's quad picked per lane, 8 rows a step) was tried:
// bound by the shuffle port (one swizzle per multiply-add), it ran 0.80× dense on SIMD128 and
// 0.95× on relaxed SIMD where this one runs 1.37× and 1.13× ([32×128]·[128×128], CPU-time medians, load ~15).

import type { Kernel, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { MATMUL_SPARSE_JS_KERNELS } from '../js/matmul-sparse.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import type { TransposeF32 } from './rowblock.js';
import { dims } from './matmul-shape.js';
import { WASM_NM } from './modules/nm.wasm.js';
import type { SpmmNm } from './nm-stage.js';
import { stageNm, stagedNmBytes } from './nm-stage.js';
import { WASM_ROWBLOCK } from './modules/rowblock.wasm.js';

const NEEDS = 'a float32 MatMul of A (rank ≥ 2, at least 2 rows) by a 2-D N:M B';

function matmulNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    // spmmNm, and transposeF32 from the row-block family
    modules: [WASM_NM, WASM_ROWBLOCK],
    tile: '24x1', op: 'MatMul', epilogue, format: 'nm', needs: NEEDS,
    js: MATMUL_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: (node) => {
      const d = dims(node), p = node.inputs[1]?.packed;
      return d !== undefined && d.r >= 2 && p?.format === 'nm' && p.rows === d.n && p.cols === d.k;
    },
    scratchBytes(node) {
      const d = dims(node)!, p = node.inputs[1]!.packed!;
      return stagedNmBytes(p) + f32Bytes(d.k * d.r) + f32Bytes(d.n * d.r);
    },
    prepare(c, env): RunFn {
      const { a, y, packed, rows: r, k, n, lo, hi } = planSparseMatMul(c, 'nm', epilogue);
      const { slots, S, Sc } = stageNm(c, env, packed, (col) => col * r * 4);
      const ap = pointer(c, env, a, 'input A'), yp = pointer(c, env, y, 'output');
      const at = env.scratch(f32Bytes(k * r)), yt = env.scratch(f32Bytes(n * r));
      const spmm = env.exports['spmmNm'] as SpmmNm, transpose = env.exports['transposeF32'] as TransposeF32;
      return () => {
        transpose(ap, at, r, k);
        spmm(slots, S, Sc, at, yt, 0, n, r, r * 4, lo, hi);
        transpose(yt, yp, n, r);
      };
    },
  });
}

export const MATMUL_NM_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(matmulNmWasm);
