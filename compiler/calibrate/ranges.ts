// Activation ranges over calibration data: the per-tensor min and max of tensors the graph's
// nodes read as input 0, what static int8 quantization (--quantize int8) takes its scales from.

import type { Graph, Node } from '../ir/graph.js';
import type { CalibrationSet } from './data.js';
import { streamCalibration } from './stream.js';

export interface Range { readonly min: number; readonly max: number }

/**
 * The range of each tensor of `tensors` over every calibration sample. The calibration stream
 * hands a visited node its input 0: a tensor no node reads that way (an Add's second operand, a
 * graph output) gets an Identity reading it, right after its producer, for this run only.
 */
export function activationRanges(graph: Graph, set: CalibrationSet, tensors: ReadonlySet<string>): Map<string, Range> {
  const readers = new Set(graph.nodes.filter((n) => tensors.has(n.inputs[0] ?? '')).map((n) => n.name));
  const seen = new Set(graph.nodes.filter((n) => readers.has(n.name)).map((n) => n.inputs[0]!));
  const names = new Set([...graph.values.keys(), ...graph.nodes.map((n) => n.name)]);
  const fresh = (base: string): string => { let k = 0; while (names.has(`${base}_${k}`)) k++; names.add(`${base}_${k}`); return `${base}_${k}`; };
  const nodes: Node[] = [];
  const probe = (t: string): void => {
    if (!tensors.has(t) || seen.has(t)) return;
    seen.add(t);
    const name = fresh(`${t}_range`);
    readers.add(name);
    nodes.push({ name, op: 'Identity', inputs: [t], outputs: [fresh(`${t}_range_out`)], attrs: {} });
  };
  for (const t of graph.inputs) probe(t);
  for (const n of graph.nodes) { nodes.push(n); n.outputs.forEach(probe); }
  if (nodes.length !== graph.nodes.length) graph = { ...graph, nodes };
  const ranges = new Map<string, Range>();
  streamCalibration(graph, set, readers, ({ node, inputs }) => {
    const name = node.inputs[0]!;
    if (ranges.has(name)) return undefined;
    let min = Infinity, max = -Infinity;
    for (const t of inputs) {
      const d = t.data as ArrayLike<number>;
      for (let i = 0; i < d.length; i++) { const v = d[i]!; if (v < min) min = v; if (v > max) max = v; }
    }
    ranges.set(name, { min, max });
    return undefined;
  });
  return ranges;
}
