// The kernel enumerator: ALL_KERNELS is the one list that drives the registry, the tests and
// the benchmarks. Adding a kernel is its file plus one line here.

import type { Kernel, KernelRegistry } from './kernel.js';
import { makeRegistry } from './kernel.js';
import { addRef } from './ref/add.js';
import { averagePoolRef } from './ref/averagepool.js';
import { clipRef } from './ref/clip.js';
import { concatRef } from './ref/concat.js';
import { CONV_REF_KERNELS } from './ref/conv.js';
import { divRef } from './ref/div.js';
import { equalRef } from './ref/equal.js';
import { erfRef } from './ref/erf.js';
import { expRef } from './ref/exp.js';
import { flattenRef } from './ref/flatten.js';
import { gatherRef } from './ref/gather.js';
import { geluRef } from './ref/gelu.js';
import { GEMM_REF_KERNELS } from './ref/gemm.js';
import { globalAveragePoolRef } from './ref/globalaveragepool.js';
import { globalMaxPoolRef } from './ref/globalmaxpool.js';
import { hardSigmoidRef } from './ref/hardsigmoid.js';
import { hardSwishRef } from './ref/hardswish.js';
import { identityRef } from './ref/identity.js';
import { leakyReluRef } from './ref/leakyrelu.js';
import { MATMUL_REF_KERNELS } from './ref/matmul.js';
import { maxPoolRef } from './ref/maxpool.js';
import { mulRef } from './ref/mul.js';
import { powRef } from './ref/pow.js';
import { reduceMeanRef } from './ref/reducemean.js';
import { reluRef } from './ref/relu.js';
import { reshapeRef } from './ref/reshape.js';
import { shapeRef } from './ref/shape.js';
import { sigmoidRef } from './ref/sigmoid.js';
import { sliceRef } from './ref/slice.js';
import { softmaxRef } from './ref/softmax.js';
import { sqrtRef } from './ref/sqrt.js';
import { squeezeRef } from './ref/squeeze.js';
import { subRef } from './ref/sub.js';
import { tanhRef } from './ref/tanh.js';
import { transposeRef } from './ref/transpose.js';
import { unsqueezeRef } from './ref/unsqueeze.js';
import { batchNormalizationRef } from './ref/batchnormalization.js';
import { castRef } from './ref/cast.js';
import { expandRef } from './ref/expand.js';
import { layerNormalizationRef } from './ref/layernormalization.js';
import { padRef } from './ref/pad.js';
import { splitRef } from './ref/split.js';
import { whereRef } from './ref/where.js';
import { convTransposeRef } from './ref/convtranspose.js';
import { resizeRef } from './ref/resize.js';
import { addJs } from './js/add.js';
import { averagePoolJs } from './js/averagepool.js';
import { concatJs } from './js/concat.js';
import { reluJs } from './js/relu.js';
import { CONV_JS_KERNELS } from './js/conv.js';
import { GEMM_JS_KERNELS } from './js/gemm.js';
import { globalAveragePoolJs } from './js/globalaveragepool.js';
import { MATMUL_JS_KERNELS } from './js/matmul.js';
import { maxPoolJs } from './js/maxpool.js';
import { BINARY_JS_KERNELS } from './js/binary.js';
import { layerNormalizationJs } from './js/layernormalization.js';
import { reduceMeanJs } from './js/reducemean.js';
import { sliceJs } from './js/slice.js';
import { softmaxJs } from './js/softmax.js';
import { transposeJs } from './js/transpose.js';
import { CONV_SPARSE_REF_KERNELS } from './ref/conv-sparse.js';
import { GEMM_SPARSE_REF_KERNELS } from './ref/gemm-sparse.js';
import { MATMUL_SPARSE_REF_KERNELS } from './ref/matmul-sparse.js';
import { CONV_SPARSE_JS_KERNELS } from './js/conv-sparse.js';
import { GEMM_SPARSE_JS_KERNELS } from './js/gemm-sparse.js';
import { MATMUL_SPARSE_JS_KERNELS } from './js/matmul-sparse.js';
import { CONV_WASM_KERNELS } from './wasm/conv.js';
import { CONV_CSR_WASM_KERNELS } from './wasm/conv-csr.js';
import { GEMM_WASM_KERNELS } from './wasm/gemm.js';
import { MATMUL_WASM_KERNELS } from './wasm/matmul.js';
import { CONV_ROWBLOCK_WASM_KERNELS } from './wasm/conv-rowblock.js';
import { GEMM_ROWBLOCK_WASM_KERNELS } from './wasm/gemm-rowblock.js';
import { MATMUL_ROWBLOCK_WASM_KERNELS } from './wasm/matmul-rowblock.js';
import { maxPoolWasm } from './wasm/maxpool.js';
import { addWasm, reluWasm } from './wasm/eltwise.js';

export const REF_KERNELS: readonly Kernel[] = [
  ...CONV_REF_KERNELS, ...GEMM_REF_KERNELS, ...MATMUL_REF_KERNELS,
  reluRef, clipRef, hardSigmoidRef, addRef, subRef, mulRef, divRef, powRef, sqrtRef,
  reduceMeanRef, softmaxRef, transposeRef, reshapeRef, flattenRef, concatRef, sliceRef, gatherRef,
  shapeRef, globalAveragePoolRef, maxPoolRef, identityRef,
  sigmoidRef, tanhRef, expRef, leakyReluRef, erfRef, hardSwishRef, averagePoolRef, globalMaxPoolRef,
  squeezeRef, unsqueezeRef, batchNormalizationRef, castRef, equalRef, whereRef, expandRef, splitRef, padRef,
  layerNormalizationRef, geluRef, convTransposeRef, resizeRef,
];

export const JS_KERNELS: readonly Kernel[] = [
  ...CONV_JS_KERNELS, ...GEMM_JS_KERNELS, ...MATMUL_JS_KERNELS, maxPoolJs, averagePoolJs, globalAveragePoolJs,
  addJs, reluJs, concatJs,
  ...BINARY_JS_KERNELS, layerNormalizationJs, reduceMeanJs, sliceJs, softmaxJs, transposeJs,
];

/** Kernels that read a packed sparse weight (format csr, nm or bsr) as input 1. */
export const SPARSE_KERNELS: readonly Kernel[] = [
  ...CONV_SPARSE_REF_KERNELS, ...GEMM_SPARSE_REF_KERNELS, ...MATMUL_SPARSE_REF_KERNELS,
  ...CONV_SPARSE_JS_KERNELS, ...GEMM_SPARSE_JS_KERNELS, ...MATMUL_SPARSE_JS_KERNELS,
];

/**
 * wasmsimd kernels (kernels/wasm/): with a WasmEnv they run the SIMD module, without one (no
 * SIMD here, plain-memory views) each prepares its js equivalent; `supports` keeps kernel
 * selection off the nodes they refuse.
 */
export const WASMSIMD_KERNELS: readonly Kernel[] = [
  ...CONV_WASM_KERNELS, ...CONV_CSR_WASM_KERNELS, ...GEMM_WASM_KERNELS, ...MATMUL_WASM_KERNELS,
  ...CONV_ROWBLOCK_WASM_KERNELS, ...GEMM_ROWBLOCK_WASM_KERNELS, ...MATMUL_ROWBLOCK_WASM_KERNELS,
  maxPoolWasm, addWasm, reluWasm,
];

export const ALL_KERNELS: readonly Kernel[] = [...REF_KERNELS, ...JS_KERNELS, ...SPARSE_KERNELS, ...WASMSIMD_KERNELS];

export function defaultRegistry(): KernelRegistry {
  return makeRegistry(ALL_KERNELS);
}
