// Estimated time of the whole model. Per Conv/Gemm/MatMul layer: the kernel the compiled graph
// runs and its estimate, and the kernel the dense model runs and its estimate, each as
// select-kernels recorded them on the nodes (never chosen again here: a re-choice without the
// compile's settings priced other kernels than the artifact's). Every other node: its recorded
// kernel priced per element (analysis/cost.ts elementWork). The sums give the estimated time and
// speedup that the compile prints, the report draws and `--min-speedup` checks. Estimates, not
// measurements (`spc bench --profile` measures).

import type { Graph } from '../ir/graph.js';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import { isWeightOp } from '../ir/weight-matrix.js';
import { elementWork, estimateElements, layerStats } from '../analysis/cost.js';
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

/** The nodes priced per element (every node but the Conv/Gemm/MatMul layers), summed. */
export interface OtherNodesEstimate {
  /** Nodes priced in the compiled graph and in the dense one. */
  readonly nodes: number;
  readonly denseNodes: number;
  readonly ns: number;
  readonly denseNs: number;
  /** Of `nodes`, how many were priced from ELEMENT_PRIORS (the profile has no entry for their kernel). */
  readonly fromPriors: number;
}

export interface SpeedupEstimate {
  readonly layers: readonly LayerEstimate[];
  readonly others: OtherNodesEstimate;
  /** Σ ns over the whole model (layers and other nodes): compiled and dense. */
  readonly ns: number;
  readonly denseNs: number;
  /** denseNs / ns (1 when nothing was priced). */
  readonly speedup: number;
}

/** Σ per-element estimates over the nodes of `g` that layerStats does not price, each by its recorded kernel. */
function otherNodes(g: Graph, profile: KernelProfile): { nodes: number; ns: number; fromPriors: number } {
  const registry = defaultRegistry();
  let nodes = 0, ns = 0, fromPriors = 0;
  for (const n of g.nodes) {
    if (isWeightOp(n.op) && layerStats(g, n)) continue;
    const k: Kernel | undefined = n.kernel === undefined ? undefined : registry.get(n.kernel);
    const work = k && elementWork(g, n);
    if (!k || work === undefined) continue;
    const e = estimateElements(k, work, profile);
    nodes++;
    ns += e.ns;
    if (e.from === 'prior') fromPriors++;
  }
  return { nodes, ns, fromPriors };
}

/**
 * Prices every Conv/Gemm/MatMul of `compiled` (the final graph) against the same node of `dense`
 * (the canonical graph, before pruning), both with the kernels and estimates select-kernels
 * recorded on them (the compile runs it on the canonical graph with its own settings, see
 * CompileResult.estimate), plus every other node of each graph priced per element by its recorded
 * kernel (`profile`: the compile's). Layers the profile did not price on either side are left out.
 */
export function estimateLayers(compiled: Graph, dense: Graph, profile: KernelProfile = getDefaultProfile()): SpeedupEstimate {
  const denseNode = new Map(dense.nodes.map((n) => [n.name, n]));
  const layers: LayerEstimate[] = [];
  for (const n of compiled.nodes) {
    if (!isWeightOp(n.op)) continue;
    const d = denseNode.get(n.name);
    if (n.kernel === undefined || n.kernelNs === undefined || d?.kernel === undefined || d.kernelNs === undefined) continue;
    layers.push({ node: n.name, kernel: n.kernel, ns: n.kernelNs, denseKernel: d.kernel, denseNs: d.kernelNs });
  }
  const compiledOthers = otherNodes(compiled, profile);
  const denseOthers = otherNodes(dense, profile);
  const others = { nodes: compiledOthers.nodes, denseNodes: denseOthers.nodes, ns: compiledOthers.ns, denseNs: denseOthers.ns, fromPriors: compiledOthers.fromPriors };
  const ns = layers.reduce((s, l) => s + l.ns, 0) + others.ns;
  const denseNs = layers.reduce((s, l) => s + l.denseNs, 0) + others.denseNs;
  return { layers, others, ns, denseNs, speedup: ns > 0 ? denseNs / ns : 1 };
}

/** What an estimate covers, as the compile summary, the HTML report and --min-speedup say it. */
export function estimateBasis(e: SpeedupEstimate): string {
  const others = e.others.nodes === 0 ? '' : `, ${e.others.nodes} other node${e.others.nodes === 1 ? '' : 's'} per element${e.others.fromPriors > 0 ? ` (${e.others.fromPriors} at prior rates)` : ''}`;
  return `estimates, not measurements: ${e.layers.length} Conv/Gemm/MatMul layer${e.layers.length === 1 ? '' : 's'} from the kernel profile${others}`;
}
