// Activation ranges over calibration data: the per-tensor min and max of tensors the graph's
// nodes read as input 0, what static int8 quantization (--quantize int8) takes its scales from.

import type { Graph } from '../ir/graph.js';
import type { CalibrationSet } from './data.js';
import { streamCalibration } from './stream.js';

export interface Range { readonly min: number; readonly max: number }

/**
 * The range of each tensor of `tensors` over every calibration sample, where some node reads it
 * as input 0 (the calibration stream hands a visited node that input); tensors no node reads
 * that way are absent.
 */
export function activationRanges(graph: Graph, set: CalibrationSet, tensors: ReadonlySet<string>): Map<string, Range> {
  const readers = new Set(graph.nodes.filter((n) => tensors.has(n.inputs[0] ?? '')).map((n) => n.name));
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
