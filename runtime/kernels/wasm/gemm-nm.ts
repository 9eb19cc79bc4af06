// wasmsimd Gemm from a standard (per-row) N:M weight: the transB form of wasm/gemm.ts's csr
// kernel on the N:M slots of asm/nm.as (f32-gemmnm-24x1-wasmsimd, and -relu, -clip):
//
//   Yᵀ[N][M] = Wnm[N][K] · op(A)ᵀ[K][M]    spmmNm over the M rows of A as pixels, slot offsets col·M·4
//   scratch = slots (nm-stage.ts stageNm) | op(A)ᵀ (unless transA or M = 1) | Yᵀ (unless M = 1)
//
// alpha, C and the clamp as in gemm.ts (in the kernel when alpha = 1 and there is no C).

import type { Kernel, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { GEMM_SPARSE_JS_KERNELS } from '../js/gemm-sparse.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import { f32Bytes, nodeShapesOf, wasmKernel } from './common.js';
import { aTransposed, dims, outputPass, supportsGemm } from './gemm-shape.js';
import { WASM_NM } from './modules/nm.wasm.js';
import type { SpmmNm } from './nm-stage.js';
import { stageNm, stagedNmBytes } from './nm-stage.js';

const NEEDS = 'a float32 Gemm with 2-D A and B and an N:M weight';

function gemmNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_NM],
    tile: '24x1', op: 'Gemm', epilogue, format: 'nm', needs: NEEDS,
    js: GEMM_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: (node) => (node.inputs[1]?.packed === undefined || node.inputs[1].packed.format === 'nm') && supportsGemm(node),
    scratchBytes(node) {
      const d = dims(node)!;
      const staged = stagedNmBytes(node.inputs[1]?.packed);
      return staged + (d.transA || d.m === 1 ? 0 : f32Bytes(d.k * d.m)) + (d.m === 1 ? 0 : f32Bytes(d.n * d.m));
    },
    prepare(c, env): RunFn {
      const plan = planSparseGemm(c, 'nm', epilogue);
      const d = dims(nodeShapesOf(c.ctx))!;
      const { slots, S, Sc } = stageNm(c, env, plan.packed, (col) => col * d.m * 4);
      const { alpha, cd, lo, hi } = plan;
      const inKernel = alpha === 1 && cd === undefined;
      const [klo, khi] = inKernel ? [lo, hi] : [-Infinity, Infinity];
      const spmm = env.exports['spmmNm'] as SpmmNm;
      const x = aTransposed(c, env, d, plan.a.data as Float32Array);
      const out = outputPass(c, env, d, inKernel, plan);
      return () => {
        x.fill();
        spmm(slots, S, Sc, x.ptr, out.ptr, 0, d.n, d.m, d.m * 4, klo, khi);
        out.finish();
      };
    },
  });
}

export const GEMM_NM_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmNmWasm);
