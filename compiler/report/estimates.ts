// Estimated time per Conv/Gemm/MatMul layer: the kernel the compiled graph runs and its estimate,
// and the kernel the dense model runs and its estimate, each as select-kernels recorded them on the
// nodes (never chosen again here: a re-choice without the compile's settings priced other kernels
// than the artifact's). Their sums give the estimated speedup that the report draws and
// `--min-speedup` checks. Estimates, not measurements.

import type { Graph } from '../ir/graph.js';
import { isWeightOp } from '../ir/weight-matrix.js';

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

/**
 * Prices every Conv/Gemm/MatMul of `compiled` (the final graph) against the same node of `dense`
 * (the canonical graph, before pruning), both with the kernels and estimates select-kernels
 * recorded on them (the compile runs it on the canonical graph with its own settings, see
 * CompileResult.estimate). Layers the profile did not price on either side are left out.
 */
export function estimateLayers(compiled: Graph, dense: Graph): SpeedupEstimate {
  const denseNode = new Map(dense.nodes.map((n) => [n.name, n]));
  const layers: LayerEstimate[] = [];
  for (const n of compiled.nodes) {
    if (!isWeightOp(n.op)) continue;
    const d = denseNode.get(n.name);
    if (n.kernel === undefined || n.kernelNs === undefined || d?.kernel === undefined || d.kernelNs === undefined) continue;
    layers.push({ node: n.name, kernel: n.kernel, ns: n.kernelNs, denseKernel: d.kernel, denseNs: d.kernelNs });
  }
  const ns = layers.reduce((s, l) => s + l.ns, 0);
  const denseNs = layers.reduce((s, l) => s + l.denseNs, 0);
  return { layers, ns, denseNs, speedup: ns > 0 ? denseNs / ns : 1 };
}
