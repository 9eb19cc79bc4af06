// Lowers a canonical, kernel-selected graph with a memory plan into the artifact's contents
// (the same structure the runtime loader returns), in a deterministic order.

import type { Graph } from '../ir/graph.js';
import { isStatic, kernelAttrs } from '../ir/graph.js';
import type { LoadedArtifact, LoadedNode, LoadedTensor, Provenance, TensorKind } from '../../runtime/loader/model.js';
import type { MemoryPlan } from '../analysis/memory-plan.js';

export const FORMAT_VERSION = 1;

export function lowerGraph(g: Graph, plan: MemoryPlan, provenance: Provenance): LoadedArtifact {
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
    if (v.constant) {
      t = { name, dtype: v.constant.dtype, shape, kind: 'weight', data: v.constant.data };
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
    formatVersion: FORMAT_VERSION,
    requiredFeatures: [],
    name: g.name,
    tensors,
    nodes,
    inputs: g.inputs.map((i) => index.get(i)!),
    outputs: outIdx,
    arenaBytes: plan.arenaBytes,
    provenance,
  };
}
