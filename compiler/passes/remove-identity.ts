// remove-identity: removes Identity nodes and inference-mode Dropout, rewiring their consumers.

import type { Graph, Node } from '../ir/graph.js';
import { attrInt } from '../ir/graph.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

/** Dropout is a pass-through when not training and its mask output is unused. */
function isInferenceDropout(node: Node, ed: GraphEditor): boolean {
  if (node.outputs.slice(1).some((m) => !ed.isUnused(m))) return false;
  // Opsets < 7 carry is_test; 7..11 are always inference; 12+ take an optional training_mode input.
  if (ed.opset < 7 && attrInt(node, 'is_test', 0) === 0) return false;
  const training = node.inputs[2];
  if (training === undefined || training === '') return true;
  const c = ed.constant(training);
  return c !== undefined && c.data.length === 1 && !c.data[0];
}

type Plan = 'rewire' | 'rename-producer';

const passThrough: RewriteRule<Plan> = {
  name: 'pass-through',
  ops: ['Identity', 'Dropout'],
  match(node, ed, ctx) {
    if (node.op === 'Dropout' && !isInferenceDropout(node, ed)) return undefined;
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (!x || !y) return undefined;
    if (!ed.isGraphOutput(y)) return 'rewire';
    // y names a graph output, and that name must survive: give it to x's producer instead,
    // which is only possible when x is a plain intermediate value.
    if (ed.producer(x) && !ed.isGraphOutput(x)) return 'rename-producer';
    ctx.log({ pass: 'remove-identity', node: node.name, message: `kept: graph output %${y} would alias %${x}` });
    return undefined;
  },
  rewrite(node, plan, ed) {
    const x = node.inputs[0]!;
    const y = node.outputs[0]!;
    ed.removeNode(node);
    for (const o of node.outputs.slice(1)) if (o !== '') ed.removeValue(o);
    if (plan === 'rewire') {
      ed.replaceUses(y, x);
      ed.removeValue(y);
    } else {
      const keep = ed.value(y);
      ed.removeValue(y);
      ed.renameValue(x, y);
      // Keep the output's declared dtype/shape if x's entry knew less.
      const renamed = ed.value(y)!;
      if (!renamed.shape && keep?.shape) ed.setValue({ ...renamed, shape: keep.shape });
    }
  },
};

/**
 * Removes Identity nodes and Dropout nodes in inference mode (mask unused, training_mode absent or
 * constant false).
 *
 * Preconditions: nodes in topological order.
 * Postconditions: consumers read the pass-through's input directly; graph output names are
 * unchanged. An Identity remains only where a graph output would otherwise alias a graph input,
 * a constant or another graph output (each such case is logged).
 */
export const removeIdentity: Pass = {
  name: 'remove-identity',
  summary: 'remove Identity and inference-mode Dropout nodes',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    return applyRules(graph, [passThrough], ctx);
  },
  postcondition(graph: Graph): readonly string[] {
    return graph.nodes
      .filter((n) => n.op === 'Identity' && !graph.outputs.includes(n.outputs[0]!))
      .map((n) => `Identity '${n.name}' feeds no graph output and should have been removed`);
  },
};
