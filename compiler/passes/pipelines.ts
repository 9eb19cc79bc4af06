// Pipelines as plain arrays of passes: the order is read here, not reconstructed from conditionals.

import type { PipelineStep } from './manager.js';
import type { Pass } from './pass.js';
import { fixpoint } from './manager.js';
import { inferShapesPass } from './infer-shapes.js';
import { foldConstants } from './fold-constants.js';
import { removeIdentity } from './remove-identity.js';
import { foldIf } from './fold-if.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { fuseActivation } from './fuse-activation.js';
import { fuseLayernorm } from './fuse-layernorm.js';
import { fuseHardswish } from './fuse-hardswish.js';
import { fuseGelu } from './fuse-gelu.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { materializeOutputs } from './materialize-outputs.js';
import { selectKernels } from './select-kernels.js';
import { scheduleBranches } from './schedule-branches.js';
import { prune } from './prune.js';
import { pruneChannels } from './prune-channels.js';
import { permuteChannelsPass } from './permute-channels.js';
import { reorderRowsPass } from './reorder-rows.js';
import { quantizeWeights } from './quantize-weights.js';
import { fuseQdq } from './fuse-qdq.js';
import { quantizeActivations } from './quantize-activations.js';

/**
 * Canonicalization: make shapes static and constants folded, then simplify. fold-batchnorm runs
 * before fuse-activation so Conv→BN→Relu becomes one Conv with a relu epilogue. The rewrites
 * after the fixpoint keep every value's shape (a fused node takes over an already-typed name).
 * fuse-qdq runs inside the fixpoint before folding: folding would turn the weights' DequantizeLinear
 * into float constants and lose the int8 codes the fused QLinearConv/QLinearMatMul read.
 */
export const canonicalizePipeline: readonly PipelineStep[] = [
  fixpoint('shapes-and-constants', [inferShapesPass, fuseQdq, foldConstants, foldIf]),
  removeIdentity,
  foldBatchnorm,
  fuseActivation,
  fuseLayernorm,
  fuseHardswish,
  fuseGelu,
  eliminateDeadCode,
  materializeOutputs,
];

/**
 * Pruning: first the channel permutation that makes N:M keep more weight (on by default for
 * N:M), then one of the two pruning passes, chosen by the pattern (channel or the others), then
 * the row order that fills the row-block kernels' blocks (never changes outputs), then the
 * weights' quantization grid (--quantize; last, so no later pass moves a channel off its scale);
 * with --quantize int8, the calibrated activations in QDQ form, fused into the int8 ops.
 */
export const prunePipeline: readonly PipelineStep[] = [
  permuteChannelsPass, prune, pruneChannels, reorderRowsPass, quantizeWeights, quantizeActivations, fuseQdq, eliminateDeadCode,
];

/** After pruning: decide how every node runs. Memory planning and lowering follow in compile.ts. */
export const selectPipeline: readonly PipelineStep[] = [selectKernels, scheduleBranches];

/** The whole compile pipeline, in order. */
export const compilePipeline: readonly PipelineStep[] = [...canonicalizePipeline, ...prunePipeline, ...selectPipeline];

export const ALL_PASSES: readonly Pass[] = [
  inferShapesPass, fuseQdq, foldConstants, foldIf, removeIdentity, foldBatchnorm, fuseActivation, fuseLayernorm, fuseHardswish, fuseGelu, eliminateDeadCode, materializeOutputs,
  permuteChannelsPass, prune, pruneChannels, reorderRowsPass, quantizeWeights, quantizeActivations, selectKernels, scheduleBranches,
];
