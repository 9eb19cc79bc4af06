// Estimated time of the whole model. Per Conv/Gemm/MatMul layer: the kernel the compiled graph
// runs and its estimate, and the kernel the dense model runs and its estimate, each as
// select-kernels recorded them on the nodes (never chosen again here: a re-choice without the
// compile's settings priced other kernels than the artifact's). Every other node: its recorded
// kernel priced per element (analysis/cost.ts elementWork). The sums give the estimated time and
// speedup that the compile prints, the report draws and `--min-speedup` checks. Estimates, not
// measurements (`spc bench --profile` measures).

import type { Graph, Node } from '../ir/graph.js';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import { isWeightOp } from '../ir/weight-matrix.js';
import { estimateElements, kernelElementWork, layerStats } from '../analysis/cost.js';
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

/** One node's estimate as the whole-model sums count it. */
export interface NodeEstimate {
  readonly node: string;
  readonly op: string;
  readonly kernel: string;
  readonly ns: number;
  /** 'layer': a Conv/Gemm/MatMul select-kernels priced (its recorded kernelNs); 'elements': priced per element here. */
  readonly priced: 'layer' | 'elements';
  /** For 'elements': whether the figure came from ELEMENT_PRIORS (no profile entry for the kernel). */
  readonly fromPrior: boolean;
}

/**
 * Every node of `g` the estimate prices, in graph order: a Conv/Gemm/MatMul by the estimate
 * select-kernels recorded on it, any other node per element by its recorded kernel. Nodes with
 * no recorded kernel or no static shapes are left out. The sums (estimateLayers) and the
 * estimate-vs-measured check (scripts/estimate-check.ts) both read this.
 */
export function nodeEstimates(g: Graph, profile: KernelProfile = getDefaultProfile()): NodeEstimate[] {
  const registry = defaultRegistry();
  const out: NodeEstimate[] = [];
  for (const n of g.nodes) {
    if (isWeightOp(n.op) && layerStats(g, n)) {
      if (n.kernel !== undefined && n.kernelNs !== undefined) out.push({ node: n.name, op: n.op, kernel: n.kernel, ns: n.kernelNs, priced: 'layer', fromPrior: false });
      continue;
    }
    const k: Kernel | undefined = n.kernel === undefined ? undefined : registry.get(n.kernel);
    const work = k && kernelElementWork(k, g, n, n.weightStorage?.packed);
    if (!k || work === undefined) continue;
    const e = estimateElements(k, work, profile);
    out.push({ node: n.name, op: n.op, kernel: k.id, ns: e.ns, priced: 'elements', fromPrior: e.from === 'prior' });
  }
  return out;
}

/**
 * The nodes of the cheaper branch of each If (by these estimates; then on a tie), which the
 * whole-model estimate leaves out: a run takes one branch (runtime/executor/branches.ts), and
 * the compile cannot know which, so it prices the costlier. A branch's cost counts its nested
 * Ifs by their costlier branch too. Branches come from the nodes' `branch` tags; a tag whose If
 * was folded away no longer counts (as schedule-branches reads them). silero VAD's 16 kHz and
 * 8 kHz branches were both priced: 8× its measured time.
 */
export function cheaperBranchNodes(g: Graph, estimates: readonly NodeEstimate[]): Set<string> {
  const ifs = new Set(g.nodes.filter((n) => n.op === 'If').map((n) => n.name));
  const skipped = new Set<string>();
  if (ifs.size === 0) return skipped;
  const ns = new Map(estimates.map((e) => [e.node, e.ns]));
  const ifOf = (tag: string): string => tag.slice(0, tag.lastIndexOf(':'));
  const scope = new Map(g.nodes.map((n) => [n, (n.branch ?? []).filter((t) => ifs.has(ifOf(t)))]));
  // Members of each innermost branch ('' the top).
  const members = new Map<string, Node[]>();
  for (const n of g.nodes) {
    const s = scope.get(n)!, key = s[s.length - 1] ?? '';
    members.set(key, [...(members.get(key) ?? []), n]);
  }
  const cost = (key: string): number =>
    (members.get(key) ?? []).reduce((sum, n) => sum + (ns.get(n.name) ?? 0) + (n.op === 'If' ? Math.max(cost(`${n.name}:then`), cost(`${n.name}:else`)) : 0), 0);
  const cheaper = new Set<string>();
  for (const name of ifs) cheaper.add(cost(`${name}:else`) <= cost(`${name}:then`) ? `${name}:else` : `${name}:then`);
  for (const n of g.nodes) if (scope.get(n)!.some((t) => cheaper.has(t))) skipped.add(n.name);
  return skipped;
}

/**
 * Prices every Conv/Gemm/MatMul of `compiled` (the final graph) against the same node of `dense`
 * (the canonical graph, before pruning), both with the kernels and estimates select-kernels
 * recorded on them (the compile runs it on the canonical graph with its own settings, see
 * CompileResult.estimate), plus every other node of each graph priced per element by its recorded
 * kernel (`profile`: the compile's). Layers the profile did not price on either side are left out,
 * and so are the nodes of each If's cheaper branch in the compiled graph (cheaperBranchNodes).
 */
export function estimateLayers(compiled: Graph, dense: Graph, profile: KernelProfile = getDefaultProfile()): SpeedupEstimate {
  const compiledNodes = nodeEstimates(compiled, profile);
  const skipped = cheaperBranchNodes(compiled, compiledNodes);
  const priced = (e: NodeEstimate): boolean => !skipped.has(e.node);
  const denseNode = new Map(dense.nodes.map((n) => [n.name, n]));
  const compiledEstimate = new Map(compiledNodes.map((e) => [e.node, e]));
  const layers: LayerEstimate[] = [];
  // A layer quantization rewrote (a Conv now a QLinearConv under the same name) is priced per
  // element on the compiled side, and still a layer on the dense side: it pairs with its dense
  // layer here, and leaves the compiled side's per-element sum.
  const rewritten = new Set<string>();
  for (const n of compiled.nodes) {
    if (skipped.has(n.name)) continue;
    const d = denseNode.get(n.name);
    if (d?.kernel === undefined || d.kernelNs === undefined) continue;
    if (isWeightOp(n.op)) {
      if (n.kernel !== undefined && n.kernelNs !== undefined) layers.push({ node: n.name, kernel: n.kernel, ns: n.kernelNs, denseKernel: d.kernel, denseNs: d.kernelNs });
      continue;
    }
    const e = isWeightOp(d.op) ? compiledEstimate.get(n.name) : undefined;
    if (e === undefined) continue;
    layers.push({ node: n.name, kernel: e.kernel, ns: e.ns, denseKernel: d.kernel, denseNs: d.kernelNs });
    rewritten.add(n.name);
  }
  const compiledOthers = elementSum(compiledNodes.filter((e) => priced(e) && !rewritten.has(e.node)));
  const denseOthers = elementSum(nodeEstimates(dense, profile).filter(priced));
  const others = { nodes: compiledOthers.nodes, denseNodes: denseOthers.nodes, ns: compiledOthers.ns, denseNs: denseOthers.ns, fromPriors: compiledOthers.fromPriors };
  const ns = layers.reduce((s, l) => s + l.ns, 0) + others.ns;
  const denseNs = layers.reduce((s, l) => s + l.denseNs, 0) + others.denseNs;
  return { layers, others, ns, denseNs, speedup: ns > 0 ? denseNs / ns : 1 };
}

/** Σ over the nodes priced per element (every node but the Conv/Gemm/MatMul layers). */
function elementSum(estimates: readonly NodeEstimate[]): { nodes: number; ns: number; fromPriors: number } {
  const others = estimates.filter((e) => e.priced === 'elements');
  return { nodes: others.length, ns: others.reduce((s, e) => s + e.ns, 0), fromPriors: others.filter((e) => e.fromPrior).length };
}

/** What an estimate covers, as the compile summary, the HTML report and --min-speedup say it. */
export function estimateBasis(e: SpeedupEstimate): string {
  const others = e.others.nodes === 0 ? '' : `, ${e.others.nodes} other node${e.others.nodes === 1 ? '' : 's'} per element${e.others.fromPriors > 0 ? ` (${e.others.fromPriors} at prior rates)` : ''}`;
  return `estimates, not measurements: ${e.layers.length} Conv/Gemm/MatMul layer${e.layers.length === 1 ? '' : 's'} from the kernel profile${others}`;
}
