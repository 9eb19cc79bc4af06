// Estimated time per Conv/Gemm/MatMul layer: the kernel the compiled graph runs and its estimate,
// as select-kernels recorded them on the node (never chosen again here: a re-choice without the
// compile's settings priced other kernels than the artifact's), and the kernel the dense model
// would run, chosen on the graph before pruning with the same targets and profile. Their sums give
// the estimated speedup that the report draws and `--min-speedup` checks. Estimates, not measurements.

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
 * Prices every Conv/Gemm/MatMul of `compiled` (the final graph, its kernels and estimates recorded
 * by select-kernels) against the same node of `dense` (the canonical graph, before pruning, priced
 * with the targets and profile the compile used; `prefer` changes nothing on a dense graph).
 * Layers the profile did not price on either side are left out.
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
    if (n.kernel === undefined || n.kernelNs === undefined) continue;
    const base = chooseKernel(dense, d, registry, targets, profile);
    if (base?.ns === undefined) continue;
    layers.push({ node: n.name, kernel: n.kernel, ns: n.kernelNs, denseKernel: base.kernel.id, denseNs: base.ns });
  }
  const ns = layers.reduce((s, l) => s + l.ns, 0);
  const denseNs = layers.reduce((s, l) => s + l.denseNs, 0);
  return { layers, ns, denseNs, speedup: ns > 0 ? denseNs / ns : 1 };
}
