// wasmsimd Gemm from a CSR (unstructured) weight, the transB form of gemm.ts's dense kernel:
//
//   csr  f32-gemmcsr-24x1-wasmsimd:  Yᵀ[N][M] = Wcsr[N][K] · op(A)ᵀ[K][M]    spmm24x1 (asm/sparse.as)
//   scratch = entries (value, col·M·4) | nnz[N] | op(A)ᵀ (unless transA or M = 1) | Yᵀ (unless M = 1)
//
// alpha, C and the clamp as in gemm.ts (in the kernel when alpha = 1 and there is no C).

import type { Kernel, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { GEMM_SPARSE_JS_KERNELS } from '../js/gemm-sparse.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import type { Spmm24x1 } from './common.js';
import { f32Bytes, nodeShapesOf, stageCsr, stagedCsrBytes, wasmKernel } from './common.js';
import { aTransposed, dims, outputPass, supportsGemm } from './gemm-shape.js';
import { WASM_CSR } from './modules/csr.wasm.js';

const NEEDS = 'a float32 Gemm with 2-D A and B';

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

export const GEMM_CSR_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmCsrWasm);
