// infer-shapes: fills in the dtype and shape of every node output that can be derived.

import type { Graph, Value } from '../ir/graph.js';
import { inferShapes } from '../analysis/shapes.js';
import type { Pass } from './pass.js';

function sameValue(a: Value, b: Value | undefined): boolean {
  if (!b || a.dtype !== b.dtype || a.constant !== b.constant) return false;
  if (a.shape === b.shape) return true;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return false;
  return a.shape.every((d, i) => d === b.shape![i]);
}

/**
 * Runs shape inference over the graph.
 *
 * Preconditions: nodes in topological order; graph inputs carry their dtype (and shape, where known).
 * Postconditions: every output whose shape is derivable from static shapes and constant data has
 * it; a shape that depends on run-time data (a Reshape fed by a non-folded Shape) stays unknown.
 * Returns the input graph object when no dtype or shape changed, so fixpoint loops terminate.
 */
export const inferShapesPass: Pass = {
  name: 'infer-shapes',
  summary: 'infer dtypes and static shapes of every value',
  preserves: ['shapes'],
  run(graph: Graph): Graph {
    const next = inferShapes(graph);
    if (next === graph) return graph;
    if (next.values.size !== graph.values.size || next.nodes.length !== graph.nodes.length) return next;
    for (const v of next.values.values()) if (!sameValue(v, graph.values.get(v.name))) return next;
    return graph;
  },
};
