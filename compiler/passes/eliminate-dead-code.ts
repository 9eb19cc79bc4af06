// eliminate-dead-code: drops nodes and values that do not contribute to a graph output.

import type { Graph } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import type { Pass } from './pass.js';

/**
 * Removes every node none of whose outputs reaches a graph output, and every value that no
 * remaining node, graph input or graph output refers to (unused constants included).
 *
 * Preconditions: nodes in topological order.
 * Postconditions: each node has at least one output on a path to a graph output; the value
 * table holds only referenced values. Graph inputs are kept even when unused (they are the
 * model's signature).
 */
export const eliminateDeadCode: Pass = {
  name: 'eliminate-dead-code',
  summary: 'drop nodes and values that do not reach a graph output',
  preserves: ['shapes'],
  run(graph: Graph): Graph {
    const live = new Set<string>(graph.outputs);
    const keep: boolean[] = new Array(graph.nodes.length).fill(false);
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i]!;
      if (!n.outputs.some((o) => o !== '' && live.has(o))) continue;
      keep[i] = true;
      for (const x of n.inputs) if (x !== '') live.add(x);
    }
    const nodes = graph.nodes.filter((_, i) => keep[i]);
    const referenced = new Set<string>([...graph.inputs, ...graph.outputs]);
    for (const n of nodes) for (const x of [...n.inputs, ...n.outputs]) if (x !== '') referenced.add(x);
    const values = [...graph.values.values()].filter((v) => referenced.has(v.name));
    if (nodes.length === graph.nodes.length && values.length === graph.values.size) return graph;
    return withGraph(graph, { nodes, values });
  },
  postcondition(graph: Graph): readonly string[] {
    const used = new Set<string>([...graph.inputs, ...graph.outputs]);
    for (const n of graph.nodes) for (const x of [...n.inputs, ...n.outputs]) used.add(x);
    return [...graph.values.keys()].filter((k) => !used.has(k)).map((k) => `value %${k} is unreferenced`);
  },
};
