// The kernel enumerator: KERNEL_MODULES is the one list of kernels. It drives the registry, the
// tests, the benchmarks, the cost model and the generated dispatch modules' imports
// (compiler/emit/dispatch.ts). Adding a kernel is its declaration (defineKernel / wasmKernel in
// its file) plus its module's line here; a variant added to a file's existing list needs no line.

import type { Kernel, KernelRegistry } from './kernel.js';
import { makeRegistry } from './kernel.js';
import { CONV_REF_KERNELS } from './ref/conv.js';
import { GEMM_REF_KERNELS } from './ref/gemm.js';
import { MATMUL_REF_KERNELS } from './ref/matmul.js';
import { reluRef } from './ref/relu.js';
import { clipRef } from './ref/clip.js';
import { hardSigmoidRef } from './ref/hardsigmoid.js';
import { addRef } from './ref/add.js';
import { subRef } from './ref/sub.js';
import { mulRef } from './ref/mul.js';
import { divRef } from './ref/div.js';
import { powRef } from './ref/pow.js';
import { sqrtRef } from './ref/sqrt.js';
import { REDUCE_REF_KERNELS } from './ref/reduce.js';
import { SOFTMAX_REF_KERNELS } from './ref/softmax.js';
import { transposeRef } from './ref/transpose.js';
import { reshapeRef } from './ref/reshape.js';
import { flattenRef } from './ref/flatten.js';
import { concatRef } from './ref/concat.js';
import { sliceRef } from './ref/slice.js';
import { gatherRef } from './ref/gather.js';
import { shapeRef } from './ref/shape.js';
import { globalAveragePoolRef } from './ref/globalaveragepool.js';
import { maxPoolRef } from './ref/maxpool.js';
import { identityRef } from './ref/identity.js';
import { ifRef } from './ref/if.js';
import { sigmoidRef } from './ref/sigmoid.js';
import { tanhRef } from './ref/tanh.js';
import { expRef } from './ref/exp.js';
import { leakyReluRef } from './ref/leakyrelu.js';
import { erfRef } from './ref/erf.js';
import { hardSwishRef } from './ref/hardswish.js';
import { averagePoolRef } from './ref/averagepool.js';
import { globalMaxPoolRef } from './ref/globalmaxpool.js';
import { squeezeRef } from './ref/squeeze.js';
import { unsqueezeRef } from './ref/unsqueeze.js';
import { batchNormalizationRef } from './ref/batchnormalization.js';
import { castRef } from './ref/cast.js';
import { equalRef } from './ref/equal.js';
import { whereRef } from './ref/where.js';
import { expandRef } from './ref/expand.js';
import { splitRef } from './ref/split.js';
import { padRef } from './ref/pad.js';
import { layerNormalizationRef } from './ref/layernormalization.js';
import { geluRef } from './ref/gelu.js';
import { convTransposeRef } from './ref/convtranspose.js';
// Elementwise, comparison and logic ops (issue 16).
import { absRef } from './ref/abs.js';
import { negRef } from './ref/neg.js';
import { signRef } from './ref/sign.js';
import { reciprocalRef } from './ref/reciprocal.js';
import { floorRef } from './ref/floor.js';
import { ceilRef } from './ref/ceil.js';
import { roundRef } from './ref/round.js';
import { sinRef } from './ref/sin.js';
import { cosRef } from './ref/cos.js';
import { logRef } from './ref/log.js';
import { softplusRef } from './ref/softplus.js';
import { softsignRef } from './ref/softsign.js';
import { eluRef } from './ref/elu.js';
import { seluRef } from './ref/selu.js';
import { thresholdedReluRef } from './ref/thresholdedrelu.js';
import { mishRef } from './ref/mish.js';
import { preluRef } from './ref/prelu.js';
import { notRef } from './ref/not.js';
import { andRef } from './ref/and.js';
import { orRef } from './ref/or.js';
import { xorRef } from './ref/xor.js';
import { greaterRef } from './ref/greater.js';
import { greaterOrEqualRef } from './ref/greaterorequal.js';
import { lessRef } from './ref/less.js';
import { lessOrEqualRef } from './ref/lessorequal.js';
import { modRef } from './ref/mod.js';
import { maxRef } from './ref/max.js';
import { minRef } from './ref/min.js';
import { meanRef } from './ref/mean.js';
import { sumRef } from './ref/sum.js';
import { resizeRef, upsampleRef } from './ref/resize.js';
// Quantization ops: QDQ, QLinear* and *Integer (issues 16, 18).
import { dequantizeLinearRef, quantizeLinearRef } from './ref/quantizelinear.js';
import { dynamicQuantizeLinearRef } from './ref/dynamicquantizelinear.js';
import { matMulIntegerRef, qLinearMatMulRef } from './ref/qlinearmatmul.js';
import { convIntegerRef, qLinearConvRef } from './ref/qlinearconv.js';
import { qLinearConvNmRef } from './ref/qlinearconv-nm.js';
// Data movement, indexing and normalisation ops of exported models (issue 16).
import { constantOfShapeRef } from './ref/constantofshape.js';
import { rangeRef } from './ref/range.js';
import { tileRef } from './ref/tile.js';
import { depthToSpaceRef, spaceToDepthRef } from './ref/depthtospace.js';
import { gatherElementsRef } from './ref/gatherelements.js';
import { gatherNDRef } from './ref/gathernd.js';
import { scatterNDRef } from './ref/scatternd.js';
import { scatterElementsRef, scatterRef } from './ref/scatterelements.js';
import { einsumRef } from './ref/einsum.js';
import { instanceNormalizationRef } from './ref/instancenormalization.js';
import { groupNormalizationRef } from './ref/groupnormalization.js';
import { lpNormalizationRef } from './ref/lpnormalization.js';
import { ARG_REF_KERNELS } from './ref/argmax.js';
import { topKRef } from './ref/topk.js';
import { cumSumRef } from './ref/cumsum.js';
import { triluRef } from './ref/trilu.js';
import { nonZeroRef } from './ref/nonzero.js';
import { oneHotRef } from './ref/onehot.js';
import { ARG_JS_KERNELS } from './js/argmax.js';
import { CONV_JS_KERNELS } from './js/conv.js';
import { GEMM_JS_KERNELS } from './js/gemm.js';
import { MATMUL_JS_KERNELS } from './js/matmul.js';
import { maxPoolJs } from './js/maxpool.js';
import { averagePoolJs } from './js/averagepool.js';
import { globalAveragePoolJs } from './js/globalaveragepool.js';
import { addJs } from './js/add.js';
import { reluJs } from './js/relu.js';
import { concatJs } from './js/concat.js';
import { BINARY_JS_KERNELS } from './js/binary.js';
import { layerNormalizationJs } from './js/layernormalization.js';
import { REDUCE_JS_KERNELS } from './js/reduce.js';
import { sliceJs } from './js/slice.js';
import { SOFTMAX_JS_KERNELS } from './js/softmax.js';
import { transposeJs } from './js/transpose.js';
import { CONV_SPARSE_REF_KERNELS } from './ref/conv-sparse.js';
import { GEMM_SPARSE_REF_KERNELS } from './ref/gemm-sparse.js';
import { MATMUL_SPARSE_REF_KERNELS } from './ref/matmul-sparse.js';
import { CONV_SPARSE_JS_KERNELS } from './js/conv-sparse.js';
import { GEMM_SPARSE_JS_KERNELS } from './js/gemm-sparse.js';
import { MATMUL_SPARSE_JS_KERNELS } from './js/matmul-sparse.js';
import { CONV_WASM_KERNELS } from './wasm/conv.js';
import { DWCONV_WASM_KERNELS } from './wasm/dwconv.js';
import { CONV_CSR_WASM_KERNELS } from './wasm/conv-csr.js';
import { CONV_NM_WASM_KERNELS } from './wasm/conv-nm.js';
import { GEMM_NM_WASM_KERNELS } from './wasm/gemm-nm.js';
import { GEMV_NM_WASM_KERNELS } from './wasm/gemv-nm.js';
import { GEMM_WASM_KERNELS } from './wasm/gemm.js';
import { GEMM_CSR_WASM_KERNELS } from './wasm/gemm-csr.js';
import { MATMUL_WASM_KERNELS } from './wasm/matmul.js';
import { MATMUL_CSR_WASM_KERNELS } from './wasm/matmul-csr.js';
import { CONV_ROWBLOCK_WASM_KERNELS } from './wasm/conv-rowblock.js';
import { GEMM_ROWBLOCK_WASM_KERNELS } from './wasm/gemm-rowblock.js';
import { MATMUL_ROWBLOCK_WASM_KERNELS } from './wasm/matmul-rowblock.js';
import { MATMUL_NM_WASM_KERNELS } from './wasm/matmul-nm.js';
import { maxPoolWasm } from './wasm/maxpool.js';
import { addWasm, reluWasm } from './wasm/eltwise.js';
import { lstmRef } from './ref/lstm.js';
import { gruRef } from './ref/gru.js';
import { rnnRef } from './ref/rnn.js';
import { lstmJs } from './js/lstm.js';
import { gruJs } from './js/gru.js';
import { rnnJs } from './js/rnn.js';
import { gruWasm, lstmWasm, rnnWasm } from './wasm/recurrent.js';
// Fast kernels for real exported models (issue 16 item 2).
import { resizeJs } from './js/resize.js';
import { padJs } from './js/pad.js';
import { convTransposeJs } from './js/convtranspose.js';
import { splitJs } from './js/split.js';
import { globalAveragePoolWasm } from './wasm/globalpool.js';
import { ACTIVATION_WASM_KERNELS } from './wasm/activation.js';
import { BINARY_WASM_KERNELS } from './wasm/binary.js';
import { ROWNORM_WASM_KERNELS } from './wasm/rownorm.js';
// js twins of the ops real models still ran on ref (issue 16 acceptance 3).
import { COPY_JS_KERNELS } from './js/copy.js';
import { gatherJs } from './js/gather.js';
import { castJs, UNARY_JS_KERNELS } from './js/unary.js';
// int8 wasmsimd kernels of the QOperator ops (issue 18 item 3).
import { convIntegerWasm, qLinearConvWasm } from './wasm/qlinearconv.js';
import { convIntegerGroupedWasm, qLinearConvGroupedWasm } from './wasm/qlinearconv-grouped.js';
import { qLinearConvNmWasm } from './wasm/qlinearconv-nm.js';
import { matMulIntegerWasm, qLinearMatMulWasm } from './wasm/qlinearmatmul.js';
import { matMulIntegerGemvWasm } from './wasm/int8-gemv.js';
import { dequantizeLinearWasm, quantizeLinearWasm } from './wasm/quantizelinear.js';

/** A kernel file's exports holding kernels: export name → the kernel, or the list of its variants. */
export type KernelExports = Readonly<Record<string, Kernel | readonly Kernel[]>>;

/**
 * Every kernel file, by path under runtime/kernels/ without extension (what a dispatch module
 * imports: `spc/runtime/kernels/<path>`), with its kernel exports; in registry order (kernel
 * selection meets candidates in this order). A test imports each file and checks its exports
 * are these very objects.
 */
export const KERNEL_MODULES: Readonly<Record<string, KernelExports>> = {
  'ref/conv': { CONV_REF_KERNELS },
  'ref/gemm': { GEMM_REF_KERNELS },
  'ref/matmul': { MATMUL_REF_KERNELS },
  'ref/relu': { reluRef },
  'ref/clip': { clipRef },
  'ref/hardsigmoid': { hardSigmoidRef },
  'ref/add': { addRef },
  'ref/sub': { subRef },
  'ref/mul': { mulRef },
  'ref/div': { divRef },
  'ref/pow': { powRef },
  'ref/sqrt': { sqrtRef },
  'ref/reduce': { REDUCE_REF_KERNELS },
  'ref/softmax': { SOFTMAX_REF_KERNELS },
  'ref/transpose': { transposeRef },
  'ref/reshape': { reshapeRef },
  'ref/flatten': { flattenRef },
  'ref/concat': { concatRef },
  'ref/slice': { sliceRef },
  'ref/gather': { gatherRef },
  'ref/shape': { shapeRef },
  'ref/globalaveragepool': { globalAveragePoolRef },
  'ref/maxpool': { maxPoolRef },
  'ref/identity': { identityRef },
  'ref/if': { ifRef },
  'ref/sigmoid': { sigmoidRef },
  'ref/tanh': { tanhRef },
  'ref/exp': { expRef },
  'ref/leakyrelu': { leakyReluRef },
  'ref/erf': { erfRef },
  'ref/hardswish': { hardSwishRef },
  'ref/averagepool': { averagePoolRef },
  'ref/globalmaxpool': { globalMaxPoolRef },
  'ref/squeeze': { squeezeRef },
  'ref/unsqueeze': { unsqueezeRef },
  'ref/batchnormalization': { batchNormalizationRef },
  'ref/cast': { castRef },
  'ref/equal': { equalRef },
  'ref/where': { whereRef },
  'ref/expand': { expandRef },
  'ref/split': { splitRef },
  'ref/pad': { padRef },
  'ref/layernormalization': { layerNormalizationRef },
  'ref/gelu': { geluRef },
  'ref/convtranspose': { convTransposeRef },
  'ref/abs': { absRef },
  'ref/neg': { negRef },
  'ref/sign': { signRef },
  'ref/reciprocal': { reciprocalRef },
  'ref/floor': { floorRef },
  'ref/ceil': { ceilRef },
  'ref/round': { roundRef },
  'ref/sin': { sinRef },
  'ref/cos': { cosRef },
  'ref/log': { logRef },
  'ref/softplus': { softplusRef },
  'ref/softsign': { softsignRef },
  'ref/elu': { eluRef },
  'ref/selu': { seluRef },
  'ref/thresholdedrelu': { thresholdedReluRef },
  'ref/mish': { mishRef },
  'ref/prelu': { preluRef },
  'ref/not': { notRef },
  'ref/and': { andRef },
  'ref/or': { orRef },
  'ref/xor': { xorRef },
  'ref/greater': { greaterRef },
  'ref/greaterorequal': { greaterOrEqualRef },
  'ref/less': { lessRef },
  'ref/lessorequal': { lessOrEqualRef },
  'ref/mod': { modRef },
  'ref/max': { maxRef },
  'ref/min': { minRef },
  'ref/mean': { meanRef },
  'ref/sum': { sumRef },
  'ref/resize': { resizeRef, upsampleRef },
  // Quantization ops: QDQ, QLinear* and *Integer (issues 16, 18).
  'ref/quantizelinear': { quantizeLinearRef, dequantizeLinearRef },
  'ref/dynamicquantizelinear': { dynamicQuantizeLinearRef },
  'ref/qlinearmatmul': { matMulIntegerRef, qLinearMatMulRef },
  'ref/qlinearconv': { convIntegerRef, qLinearConvRef },
  'ref/qlinearconv-nm': { qLinearConvNmRef },
  // Data movement, indexing and normalisation ops of exported models (issue 16).
  'ref/constantofshape': { constantOfShapeRef },
  'ref/range': { rangeRef },
  'ref/tile': { tileRef },
  'ref/depthtospace': { depthToSpaceRef, spaceToDepthRef },
  'ref/gatherelements': { gatherElementsRef },
  'ref/gathernd': { gatherNDRef },
  'ref/scatternd': { scatterNDRef },
  'ref/scatterelements': { scatterElementsRef, scatterRef },
  'ref/einsum': { einsumRef },
  'ref/instancenormalization': { instanceNormalizationRef },
  'ref/groupnormalization': { groupNormalizationRef },
  'ref/lpnormalization': { lpNormalizationRef },
  'ref/argmax': { ARG_REF_KERNELS },
  'ref/topk': { topKRef },
  'ref/cumsum': { cumSumRef },
  'ref/trilu': { triluRef },
  'ref/nonzero': { nonZeroRef },
  'ref/onehot': { oneHotRef },
  'js/argmax': { ARG_JS_KERNELS },
  'js/conv': { CONV_JS_KERNELS },
  'js/gemm': { GEMM_JS_KERNELS },
  'js/matmul': { MATMUL_JS_KERNELS },
  'js/maxpool': { maxPoolJs },
  'js/averagepool': { averagePoolJs },
  'js/globalaveragepool': { globalAveragePoolJs },
  'js/add': { addJs },
  'js/relu': { reluJs },
  'js/concat': { concatJs },
  'js/binary': { BINARY_JS_KERNELS },
  'js/layernormalization': { layerNormalizationJs },
  'js/reduce': { REDUCE_JS_KERNELS },
  'js/slice': { sliceJs },
  'js/softmax': { SOFTMAX_JS_KERNELS },
  'js/transpose': { transposeJs },
  'ref/conv-sparse': { CONV_SPARSE_REF_KERNELS },
  'ref/gemm-sparse': { GEMM_SPARSE_REF_KERNELS },
  'ref/matmul-sparse': { MATMUL_SPARSE_REF_KERNELS },
  'js/conv-sparse': { CONV_SPARSE_JS_KERNELS },
  'js/gemm-sparse': { GEMM_SPARSE_JS_KERNELS },
  'js/matmul-sparse': { MATMUL_SPARSE_JS_KERNELS },
  'wasm/conv': { CONV_WASM_KERNELS },
  'wasm/dwconv': { DWCONV_WASM_KERNELS },
  'wasm/conv-csr': { CONV_CSR_WASM_KERNELS },
  'wasm/conv-nm': { CONV_NM_WASM_KERNELS },
  'wasm/gemm-nm': { GEMM_NM_WASM_KERNELS },
  'wasm/gemv-nm': { GEMV_NM_WASM_KERNELS },
  'wasm/gemm': { GEMM_WASM_KERNELS },
  'wasm/gemm-csr': { GEMM_CSR_WASM_KERNELS },
  'wasm/matmul': { MATMUL_WASM_KERNELS },
  'wasm/matmul-csr': { MATMUL_CSR_WASM_KERNELS },
  'wasm/conv-rowblock': { CONV_ROWBLOCK_WASM_KERNELS },
  'wasm/gemm-rowblock': { GEMM_ROWBLOCK_WASM_KERNELS },
  'wasm/matmul-rowblock': { MATMUL_ROWBLOCK_WASM_KERNELS },
  'wasm/matmul-nm': { MATMUL_NM_WASM_KERNELS },
  'wasm/maxpool': { maxPoolWasm },
  'wasm/eltwise': { addWasm, reluWasm },
  'ref/lstm': { lstmRef },
  'ref/gru': { gruRef },
  'ref/rnn': { rnnRef },
  'js/lstm': { lstmJs },
  'js/gru': { gruJs },
  'js/rnn': { rnnJs },
  'wasm/recurrent': { lstmWasm, gruWasm, rnnWasm },
  // Fast kernels for real exported models (issue 16 item 2).
  'js/resize': { resizeJs },
  'js/pad': { padJs },
  'js/convtranspose': { convTransposeJs },
  'js/split': { splitJs },
  'wasm/globalpool': { globalAveragePoolWasm },
  'wasm/activation': { ACTIVATION_WASM_KERNELS },
  'wasm/binary': { BINARY_WASM_KERNELS },
  // Transformer row ops (issue 19 item 1).
  'wasm/rownorm': { ROWNORM_WASM_KERNELS },
  // js twins of the ops real models still ran on ref (issue 16 acceptance 3).
  'js/copy': { COPY_JS_KERNELS },
  'js/gather': { gatherJs },
  'js/unary': { UNARY_JS_KERNELS, castJs },
  // int8 wasmsimd kernels of the QOperator ops (issue 18 item 3).
  'wasm/qlinearconv': { qLinearConvWasm, convIntegerWasm },
  'wasm/qlinearconv-grouped': { qLinearConvGroupedWasm, convIntegerGroupedWasm },
  'wasm/qlinearconv-nm': { qLinearConvNmWasm },
  'wasm/qlinearmatmul': { qLinearMatMulWasm, matMulIntegerWasm },
  'wasm/int8-gemv': { matMulIntegerGemvWasm },
  'wasm/quantizelinear': { quantizeLinearWasm, dequantizeLinearWasm },
};

export const ALL_KERNELS: readonly Kernel[] = Object.values(KERNEL_MODULES).flatMap((exports) => Object.values(exports).flat());

const isSparse = (k: Kernel): boolean => k.format !== undefined && k.format !== 'dense';

export const REF_KERNELS: readonly Kernel[] = ALL_KERNELS.filter((k) => k.target === 'ref' && !isSparse(k));
export const JS_KERNELS: readonly Kernel[] = ALL_KERNELS.filter((k) => k.target === 'js' && !isSparse(k));

/** ref and js kernels that read a packed sparse weight (format csr, nm or bsr) as input 1. */
export const SPARSE_KERNELS: readonly Kernel[] = ALL_KERNELS.filter((k) => k.target !== 'wasmsimd' && isSparse(k));

/**
 * wasmsimd kernels (kernels/wasm/): with a WasmEnv they run the SIMD module, without one (no
 * SIMD here, plain-memory views) each prepares its js equivalent; `supports` keeps kernel
 * selection off the nodes they refuse.
 */
export const WASMSIMD_KERNELS: readonly Kernel[] = ALL_KERNELS.filter((k) => k.target === 'wasmsimd');

export function defaultRegistry(): KernelRegistry {
  return makeRegistry(ALL_KERNELS);
}
