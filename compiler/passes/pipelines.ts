// Pipelines as plain arrays of passes: the order is read here, not reconstructed from conditionals.

import type { PipelineStep } from './manager.js';
import type { Pass } from './pass.js';
import { fixpoint } from './manager.js';
import { inferShapesPass } from './infer-shapes.js';
import { foldConstants } from './fold-constants.js';
import { removeIdentity } from './remove-identity.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { fuseActivation } from './fuse-activation.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { selectKernels } from './select-kernels.js';

/**
 * Canonicalization: make shapes static and constants folded, then simplify. fold-batchnorm runs
 * before fuse-activation so Conv→BN→Relu becomes one Conv with a relu epilogue. The rewrites
 * after the fixpoint keep every value's shape (a fused node takes over an already-typed name).
 */
export const canonicalizePipeline: readonly PipelineStep[] = [
  fixpoint('shapes-and-constants', [inferShapesPass, foldConstants]),
  removeIdentity,
  foldBatchnorm,
  fuseActivation,
  eliminateDeadCode,
];

/**
 * The compile pipeline: canonicalize, then the later stages. Pruning, packing, kernel selection
 * and memory planning passes are appended here, in that order, as they land.
 */
export const compilePipeline: readonly PipelineStep[] = [
  ...canonicalizePipeline,
  selectKernels,
];

/** Every pass by name, for `--list-passes` and `--print-ir-after=<name>`. */
export const ALL_PASSES: readonly Pass[] = [
  inferShapesPass, foldConstants, removeIdentity, foldBatchnorm, fuseActivation, eliminateDeadCode,
];
