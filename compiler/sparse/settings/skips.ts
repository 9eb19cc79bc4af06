// The prune pass's default skips: which Conv/Gemm/MatMul layers stay dense unless a --config rule
// forces them (or --min-params moves the size bound). Each rule's numbers are measured in
// docs/accuracy.md, "Which layers are pruned by default" (scripts/coverage.ts).

import { pct } from '../../format.js';

/** Layers with fewer weights stay dense (--min-params): on mobilenet_v2_w050 its 13 such layers are 0.9% of the weights and +20% of the 2:4 KL. */
export const DEFAULT_MIN_PARAMS = 4096;

/**
 * The classifier is pruned up to this sparsity and kept dense above it: at 2:4 and 50% it cost
 * digits at most 0.4 points while holding 17–66% of a 1000-class model's weights; at 75% it cost
 * digits_cnn 17 points.
 */
export const CLASSIFIER_MAX_SPARSITY = 0.5;

/** What the default skips read of one layer. */
export interface SkipFacts {
  /** Conv group count (1 for Gemm/MatMul) and output channels: depthwise when they are equal. */
  readonly group: number;
  readonly outChannels: number;
  /** A Conv reading a graph input (the stem): that input's name. */
  readonly stemInput?: string;
  /** The final prunable layer before a graph output (the classifier): that output's name. */
  readonly classifierOf?: string;
  readonly params: number;
  /** The sparsity it would be pruned to: N:M's, else the config's or the requested one. */
  readonly sparsity: number;
}

/** Why the defaults keep a layer dense, or undefined: they prune it. */
export function defaultSkip(f: SkipFacts, minParams: number): string | undefined {
  // No sparse depthwise kernel (packed, they ran 0.13× dense at 50%) and a 3×3 or 5×5 reduction no N:M tiles.
  if (f.group > 1) return `${f.group === f.outChannels ? 'depthwise' : 'grouped'} conv (group=${f.group}); default keeps it dense`;
  // Few weights per filter on the raw input: 50% cost digits_cnn 9.6 points.
  if (f.stemInput !== undefined) return `stem conv (reads graph input '${f.stemInput}'); default keeps it dense`;
  if (f.classifierOf !== undefined && f.sparsity > CLASSIFIER_MAX_SPARSITY) {
    return `classifier (final layer before output '${f.classifierOf}') at ${pct(f.sparsity)} sparsity; default keeps it dense above ${pct(CLASSIFIER_MAX_SPARSITY)}`;
  }
  if (f.params < minParams) return `${f.params} weights, fewer than minParams=${minParams}`;
  return undefined;
}
