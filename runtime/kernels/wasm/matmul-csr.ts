// wasmsimd MatMul with a 2-D B from a CSR (unstructured) weight, packed as W[N][K] = Bᵀ:
//
//   csr  f32-matmulcsr-24x1-wasmsimd:  Yᵀ[N][R] = Wcsr[N][K] · Aᵀ[K][R]    spmm24x1 (asm/sparse.as)
//   scratch = entries | nnz | Aᵀ | Yᵀ
//
// (R = rows of A over all leading axes; Yᵀ comes back transposed with the clamp, R = 1 in place.)

import type { Kernel, RunFn } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { MATMUL_SPARSE_JS_KERNELS } from '../js/matmul-sparse.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import type { Spmm24x1 } from './common.js';
import { f32Bytes, stageCsr, stagedCsrBytes, gemmOutput, pointer, scratchF32, transpose, wasmKernel } from './common.js';
import { dims } from './matmul-shape.js';
import { WASM_CSR } from './modules/csr.wasm.js';

const NEEDS = 'a float32 MatMul of A (rank ≥ 2) by a 2-D B';

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

export const MATMUL_CSR_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(matmulCsrWasm);
