// quantize-weights: stores the Conv/Gemm/MatMul weights on a quantization grid (--quantize):
// int8 symmetric per output channel, or float16. Runs after pruning and row reordering, so the
// grid is never permuted again; weights already quantized jointly with pruning (GPTQ) keep theirs.
// Precondition: constants folded. Postcondition: every quantized weight's data lies on its grid.

import type { Graph, Node, Value, WeightQuantization } from '../ir/graph.js';
import { makeGraph } from '../ir/graph.js';
import { isWeightOp, nodeWeightAxes } from '../ir/weight-matrix.js';
import { int8Scale, onFloat16Grid, onInt8Grid, quantNoise, sqnrDb } from '../quantize/grid.js';
import type { QuantizeMode } from '../quantize/grid.js';
import type { Pass, PassContext } from './pass.js';

/**
 * The layer weights --quantize stores quantized, with the output axis their int8 scales run
 * along: float32 constants read only as input 1 of Conv/Gemm/MatMul nodes that agree on that axis
 * (a weight shared by two views of different axes stays float32), and not a graph output.
 */
export function quantizableWeights(graph: Graph): Map<string, number> {
  const axes = new Map<string, number>();
  const refused = new Set<string>(graph.outputs);
  for (const n of graph.nodes) {
    n.inputs.forEach((name, k) => {
      if (name === '' || refused.has(name)) return;
      const c = graph.values.get(name)?.constant;
      if (!c || c.dtype !== 'float32' || !(c.data instanceof Float32Array)) return;
      const axis = k === 1 && isWeightOp(n.op) && weightRank(n, c.shape.length) ? nodeWeightAxes(n).out : undefined;
      const known = axes.get(name);
      if (axis === undefined || (known !== undefined && known !== axis)) { refused.add(name); axes.delete(name); return; }
      axes.set(name, axis);
    });
  }
  return axes;
}

/** Whether `n` reads a weight of this rank as a matrix (Conv ≥ 3, Gemm/MatMul 2). */
function weightRank(n: Node, rank: number): boolean {
  return n.op === 'Conv' ? rank >= 3 : rank === 2;
}

/** `v`'s constant data on the int8 grid along `axis` (per channel scales) or the float16 grid. */
export function quantizeWeight(v: Value, mode: QuantizeMode, axis: number): { data: Float32Array; quantization: WeightQuantization } {
  const c = v.constant!;
  const data = c.data as Float32Array;
  const out = new Float32Array(data.length);
  if (mode === 'fp16') {
    for (let i = 0; i < data.length; i++) out[i] = onFloat16Grid(data[i]!);
    return { data: out, quantization: { kind: 'float16', axis: -1, method: 'round', sqnrDb: sqnrDb(quantNoise(data, out)) } };
  }
  const dim = c.shape[axis]!;
  let inner = 1;
  for (let d = axis + 1; d < c.shape.length; d++) inner *= c.shape[d]!;
  const absmax = new Float64Array(dim);
  for (let start = 0, b = 0; start < data.length; start += inner, b++) {
    const ch = b % dim;
    for (let i = start; i < start + inner; i++) absmax[ch] = Math.max(absmax[ch]!, Math.abs(data[i]!));
  }
  const scales = Float32Array.from(absmax, int8Scale);
  for (let start = 0, b = 0; start < data.length; start += inner, b++) {
    const s = scales[b % dim]!;
    for (let i = start; i < start + inner; i++) out[i] = onInt8Grid(data[i]!, s);
  }
  return { data: out, quantization: { kind: 'int8', axis, scales, method: 'round', sqnrDb: sqnrDb(quantNoise(data, out)) } };
}

export const quantizeWeights: Pass = {
  name: 'quantize-weights',
  summary: 'stores Conv/Gemm/MatMul weights on an int8 (per output channel, symmetric) or float16 grid (--quantize)',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    const mode = ctx.settings.quantize;
    if (mode === undefined) return graph;
    const values = new Map(graph.values);
    let changed = false;
    for (const [name, axis] of quantizableWeights(graph)) {
      const v = graph.values.get(name)!;
      if (v.quantization) continue;
      const { data, quantization } = quantizeWeight(v, mode, axis);
      values.set(name, { ...v, constant: { ...v.constant!, data }, quantization });
      changed = true;
    }
    if (!changed) return graph;
    ctx.log({ pass: 'quantize-weights', message: `weights stored as ${mode === 'fp16' ? 'float16' : 'int8 per output channel'}` });
    return makeGraph({ ...graph, values: values.values() });
  },
  postcondition(graph: Graph): readonly string[] {
    const bad: string[] = [];
    for (const v of graph.values.values()) {
      const q = v.quantization;
      if (!q) continue;
      const data = v.constant?.data;
      if (!(data instanceof Float32Array)) { bad.push(`value '${v.name}' is quantized but has no float32 data`); continue; }
      // On its grid: quantizing again with the recorded scales changes nothing.
      if (q.kind === 'int8') {
        const dim = v.constant!.shape[q.axis]!;
        let inner = 1;
        for (let d = q.axis + 1; d < v.constant!.shape.length; d++) inner *= v.constant!.shape[d]!;
        for (let i = 0; i < data.length; i++) {
          if (onInt8Grid(data[i]!, q.scales![Math.floor(i / inner) % dim]!) !== data[i]) { bad.push(`value '${v.name}': element ${i} is off its int8 grid`); break; }
        }
      } else if (data.some((x) => onFloat16Grid(x) !== x && !Number.isNaN(x))) bad.push(`value '${v.name}': off the float16 grid`);
    }
    return bad;
  },
};
