// Estimated time per Conv/Gemm/MatMul layer, from the same kernel profile that chose the kernels
// (analysis/kernel-choice.ts): the kernel the compiled graph runs, and the kernel the dense model
// would run (chosen on the graph before pruning). Their sums give the estimated speedup that the
// report draws and `--min-speedup` checks. Estimates, not measurements.

import type { Graph } from '../ir/graph.js';
import type { Target } from '../analysis/kernel-choice.js';
import { chooseKernel, DEFAULT_TARGETS } from '../analysis/kernel-choice.js';
import type { KernelProfile } from '../analysis/profile.js';
import { getDefaultProfile } from '../analysis/profile.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';

export interface LayerEstimate {
  readonly node: string;
  /** The kernel the compiled model runs, and its estimated ns per call. */
  readonly kernel: string;
  readonly ns: number;
  /** The kernel the dense model would run on this layer, and its estimated ns. */
  readonly denseKernel: string;
  readonly denseNs: number;
}

export interface SpeedupEstimate {
  readonly layers: readonly LayerEstimate[];
  /** Σ ns over the priced layers: compiled and dense. */
  readonly ns: number;
  readonly denseNs: number;
  /** denseNs / ns (1 when nothing was priced). */
  readonly speedup: number;
}

const PRICED = new Set(['Conv', 'Gemm', 'MatMul']);

/**
 * Prices every Conv/Gemm/MatMul of `compiled` (the final graph) against the same node of `dense`
 * (the canonical graph, before pruning), with the targets and profile the compile used. Layers
 * the profile cannot price on either side are left out.
 */
export function estimateLayers(compiled: Graph, dense: Graph, targets: readonly Target[] = DEFAULT_TARGETS,
  profile: KernelProfile = getDefaultProfile()): SpeedupEstimate {
  const registry = defaultRegistry();
  const denseNode = new Map(dense.nodes.map((n) => [n.name, n]));
  const layers: LayerEstimate[] = [];
  for (const n of compiled.nodes) {
    if (!PRICED.has(n.op)) continue;
    const d = denseNode.get(n.name);
    if (!d) continue;
    const chosen = chooseKernel(compiled, n, registry, targets, profile);
    const base = chooseKernel(dense, d, registry, targets, profile);
    if (chosen?.ns === undefined || base?.ns === undefined) continue;
    layers.push({ node: n.name, kernel: chosen.kernel.id, ns: chosen.ns, denseKernel: base.kernel.id, denseNs: base.ns });
  }
  const ns = layers.reduce((s, l) => s + l.ns, 0);
  const denseNs = layers.reduce((s, l) => s + l.denseNs, 0);
  return { layers, ns, denseNs, speedup: ns > 0 ? denseNs / ns : 1 };
}
