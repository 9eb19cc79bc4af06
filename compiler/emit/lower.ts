// Lowers a canonical, kernel-selected graph with a memory plan into the artifact's contents
// (the same structure the runtime loader returns), in a deterministic order.

import type { Graph, WeightQuantization, WeightStorage } from '../ir/graph.js';
import { quantizeDense, quantizePacked, type StoredQuantization } from '../../runtime/quant/stored.js';
import { isStatic, kernelAttrs } from '../ir/graph.js';
import type { LayerRecipe, LoadedArtifact, LoadedNode, LoadedTensor, Provenance, TensorKind } from '../../runtime/loader/model.js';
import type { MemoryPlan } from '../analysis/memory-plan.js';
import type { KernelRegistry } from '../../runtime/kernels/kernel.js';
import { DENSE_FORMAT_VERSION } from '../../runtime/loader/format.js';
import { weightInputOf } from '../../runtime/sparse/layout.js';
import { defaultDescriptor } from './artifact.js';

/**
 * Lowers the graph. `provenance.layers` (the per-layer recipe) defaults to none; the compile
 * driver builds its report from the lowered artifact and records it with `withRecipe`.
 */
export function lowerGraph(g: Graph, plan: MemoryPlan, provenance: Omit<Provenance, 'layers'> & Partial<Pick<Provenance, 'layers'>>,
  registry: KernelRegistry): LoadedArtifact {
  // Pruned weights are stored as kernel selection recorded (node.weightStorage): packed once,
  // never again here, and marked for expansion at load where the kernel reads them dense.
  const stored = new Map<string, WeightStorage>();
  for (const n of g.nodes) {
    const format = n.kernel ? registry.get(n.kernel)?.format ?? 'dense' : 'dense';
    const recorded = n.weightStorage?.kernelReads ?? 'dense';
    if (format !== recorded) throw new Error(`lower: node '${n.name}' runs ${n.kernel ?? 'no kernel'}, which reads ${format}, but its recorded weight layout is ${recorded}`);
    if (n.weightStorage) {
      const w = n.inputs[weightInputOf(n.op)?.input ?? 1] ?? '';
      if (stored.has(w)) throw new Error(`lower: weight '${w}' has two storage records`);
      stored.set(w, n.weightStorage);
    }
  }
  const index = new Map<string, number>();
  const tensors: LoadedTensor[] = [];
  const inputs = new Set(g.inputs);
  const outputs = new Set(g.outputs);

  const add = (name: string): number => {
    const known = index.get(name);
    if (known !== undefined) return known;
    const v = g.values.get(name);
    if (!v) throw new Error(`lower: unknown value '${name}'`);
    if (!isStatic(v.shape) && !v.constant) throw new Error(`lower: value '${name}' has no static shape`);
    const shape = v.constant ? [...v.constant.shape] : [...(v.shape as number[])];
    let t: LoadedTensor;
    const storage = stored.get(name);
    if (storage) {
      // An int8 weight that arrived sparse (kernel-choice.ts codeSparsity) has no pruning record: its packing describes it.
      if (!v.constant || (!v.sparsity && v.constant.dtype !== 'int8')) throw new Error(`lower: weight '${name}' has a recorded packing but is not a pruned constant`);
      t = { name, dtype: v.constant.dtype, shape, kind: 'weight', data: new Float32Array(0), packed: storage.packed,
        ...(storage.kernelReads === 'dense' ? { kernelLayout: 'dense' as const } : {}),
        ...(v.quantization ? { quant: quantizePacked(storedSpec(v.quantization), storage.packed) } : {}),
        descriptor: v.sparsity ? { pattern: v.sparsity.pattern, sparsity: v.sparsity.achieved } : defaultDescriptor(storage.packed) };
    } else if (v.constant) {
      t = { name, dtype: v.constant.dtype, shape, kind: 'weight', data: v.constant.data,
        ...(v.quantization ? { quant: quantizeDense(storedSpec(v.quantization), shape, v.constant.data as Float32Array) } : {}) };
    } else {
      const kind: TensorKind = inputs.has(name) ? 'input' : outputs.has(name) ? 'output' : 'activation';
      const arenaOffset = plan.offsets.get(name);
      if (arenaOffset === undefined) throw new Error(`lower: value '${name}' has no arena offset`);
      t = { name, dtype: v.dtype, shape, kind, arenaOffset };
    }
    index.set(name, tensors.length);
    tensors.push(t);
    return tensors.length - 1;
  };

  for (const name of g.inputs) add(name);
  const nodes: LoadedNode[] = g.nodes.map((n) => {
    if (!n.kernel) throw new Error(`lower: node '${n.name}' (${n.op}) has no kernel selected`);
    return {
      name: n.name,
      op: n.op,
      kernel: n.kernel,
      kernelReason: n.kernelReason ?? '',
      inputs: n.inputs.map((i) => (i === '' ? -1 : add(i))),
      outputs: n.outputs.map((o) => (o === '' ? -1 : add(o))),
      attrs: kernelAttrs(n),
    };
  });
  const outIdx = g.outputs.map((o) => add(o));
  return {
    // Raised to SPARSE_FORMAT_VERSION by the writer when a weight is packed (artifact.ts).
    formatVersion: DENSE_FORMAT_VERSION,
    requiredFeatures: [],
    name: g.name,
    tensors,
    nodes,
    inputs: g.inputs.map((i) => index.get(i)!),
    outputs: outIdx,
    arenaBytes: plan.arenaBytes,
    provenance: { ...provenance, layers: provenance.layers ?? [] },
  };
}

/** How a weight on `q`'s grid is stored: int8 codes with its scales (zero points 0), or float16. */
function storedSpec(q: WeightQuantization): Omit<StoredQuantization, 'values'> {
  return q.kind === 'int8' ? { dtype: 'int8', axis: q.axis, scales: q.scales! } : { dtype: 'float16', axis: -1, scales: new Float32Array(0) };
}

/**
 * The artifact with its per-layer recipe recorded in the provenance (node order, as given).
 * Every entry must name a node of the artifact, once: the loader refuses anything else.
 */
export function withRecipe(a: LoadedArtifact, layers: readonly LayerRecipe[]): LoadedArtifact {
  const names = new Set(a.nodes.map((n) => n.name));
  const seen = new Set<string>();
  for (const r of layers) {
    if (!names.has(r.node)) throw new Error(`lower: recipe for unknown node '${r.node}'`);
    if (seen.has(r.node)) throw new Error(`lower: two recipe entries for node '${r.node}'`);
    seen.add(r.node);
  }
  return { ...a, provenance: { ...a.provenance, layers: [...layers] } };
}
