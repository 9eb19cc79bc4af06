// Per-layer sparsity for an overall target: uniform, global magnitude, ERK, or sensitivity
// (measured divergence curves, sensitivity.ts). Answers in whole weights (how many to zero per
// layer), so the pass and the report agree on the rounding.

import { pruneOrder } from './masks.js';
import type { SensitivityPoint } from './sensitivity.js';
import { allocateBySensitivity } from './sensitivity.js';
import { sizeOf } from '../../../runtime/tensor.js';

export type Allocation = 'uniform' | 'global' | 'erk' | 'sensitivity';
export const ALLOCATIONS: readonly Allocation[] = ['uniform', 'global', 'erk', 'sensitivity'];

export interface AllocLayer {
  /** The weight's full shape (Conv OIHW, Gemm/MatMul 2-D); ERK reads its dims. */
  readonly shape: readonly number[];
  /** The weights (any order); global magnitude reads them. */
  readonly data: Float32Array;
  /** Sensitivity only: the layer's measured divergence per sparsity (measureSensitivity). */
  readonly curve?: readonly SensitivityPoint[];
}

export interface LayerAllocation {
  /** Weights to zero in this layer. */
  readonly prune: number;
  /** prune / params. */
  readonly sparsity: number;
  /** The sparsity the allocation asked of the layer before rounding to whole weights. */
  readonly requested: number;
}

function fromCounts(layers: readonly AllocLayer[], counts: readonly number[], requested?: readonly number[]): LayerAllocation[] {
  return layers.map((l, i) => {
    const sparsity = l.data.length === 0 ? 0 : counts[i]! / l.data.length;
    return { prune: counts[i]!, sparsity, requested: requested?.[i] ?? sparsity };
  });
}

/** Each layer zeroes round(target · params) weights. */
export function allocateUniform(layers: readonly AllocLayer[], target: number): LayerAllocation[] {
  return fromCounts(layers, layers.map((l) => Math.round(target * l.data.length)), layers.map(() => target));
}

/**
 * One magnitude threshold across all layers: the round(target · total) smallest |w| of the
 * union are zeroed, so the overall sparsity is exact to one weight. Ties across layers are
 * broken by (layer, index), which keeps the result deterministic.
 */
export function allocateGlobal(layers: readonly AllocLayer[], target: number): LayerAllocation[] {
  const total = layers.reduce((a, l) => a + l.data.length, 0);
  const mags = new Float32Array(total);
  const owner = new Uint32Array(total);
  let at = 0;
  layers.forEach((l, li) => {
    for (let i = 0; i < l.data.length; i++, at++) { mags[at] = Math.abs(l.data[i]!); owner[at] = li; }
  });
  const k = Math.round(target * total);
  const order = pruneOrder(mags);
  const counts = new Array<number>(layers.length).fill(0);
  for (let i = 0; i < k; i++) counts[owner[order[i]!]!]!++;
  return fromCounts(layers, counts);
}

/**
 * Erdős–Rényi-Kernel: density_l = ε · (Σ dims) / (Π dims), ε chosen so that the kept weights
 * total (1 − target) of all weights; a layer whose density would exceed 1 stays dense and ε is
 * solved again over the rest.
 */
export function allocateErk(layers: readonly AllocLayer[], target: number): LayerAllocation[] {
  const params = layers.map((l) => sizeOf(l.shape));
  const raw = layers.map((l) => l.shape.reduce((a, b) => a + b, 0) / sizeOf(l.shape));
  const keepTotal = (1 - target) * params.reduce((a, b) => a + b, 0);
  const dense = new Set<number>();
  let eps = 0;
  for (;;) {
    let denseParams = 0;
    let weighted = 0;
    layers.forEach((_, i) => { if (dense.has(i)) denseParams += params[i]!; else weighted += raw[i]! * params[i]!; });
    eps = weighted > 0 ? (keepTotal - denseParams) / weighted : 0;
    let grew = false;
    layers.forEach((_, i) => { if (!dense.has(i) && eps * raw[i]! > 1) { dense.add(i); grew = true; } });
    if (!grew) break;
  }
  const requested = layers.map((_, i) => 1 - (dense.has(i) ? 1 : Math.max(0, eps * raw[i]!)));
  return fromCounts(layers, layers.map((l, i) => Math.round(requested[i]! * l.data.length)), requested);
}

export function allocate(kind: Allocation, layers: readonly AllocLayer[], target: number): LayerAllocation[] {
  if (!(target >= 0 && target < 1)) throw new Error(`sparsity must be in [0, 1), got ${target}`);
  switch (kind) {
    case 'uniform': return allocateUniform(layers, target);
    case 'global': return allocateGlobal(layers, target);
    case 'erk': return allocateErk(layers, target);
    case 'sensitivity': {
      if (layers.some((l) => !l.curve)) throw new Error('sensitivity allocation needs every layer\'s measured curve');
      return fromCounts(layers, allocateBySensitivity(layers.map((l) => l.data.length), layers.map((l) => l.curve!), target));
    }
  }
}
