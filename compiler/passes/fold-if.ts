// fold-if: inlines the taken branch of an If whose condition is a compile-time constant.

import type { Graph, Node } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import type { Pass, PassContext } from './pass.js';

/**
 * Replaces each If whose condition is a constant (an initializer, a fixed `--input-value`, or
 * folded) by Identity nodes from the taken branch's outputs to the If's outputs. The taken
 * branch's nodes then run unconditionally (they already sit in the graph, flattened by the
 * importer); the other branch is left for eliminate-dead-code.
 *
 * Preconditions: If nodes in the importer's form (inputs [cond, then outputs…, else outputs…]).
 * Postconditions: no If has a constant condition. Identity nodes are removed by remove-identity.
 */
export const foldIf: Pass = {
  name: 'fold-if',
  summary: 'inline the taken branch of an If whose condition is a constant',
  run(graph: Graph, ctx: PassContext): Graph {
    if (!graph.nodes.some((n) => n.op === 'If')) return graph;
    const names = new Set(graph.nodes.map((n) => n.name));
    const nodes: Node[] = [];
    let changed = false;
    for (const n of graph.nodes) {
      const cond = n.op === 'If' ? graph.values.get(n.inputs[0] ?? '')?.constant : undefined;
      if (!cond || cond.data.length !== 1) { nodes.push(n); continue; }
      const k = n.outputs.length;
      const side = cond.data[0] ? 'then' : 'else';
      const first = side === 'then' ? 1 : 1 + k;
      n.outputs.forEach((o, i) => {
        let name = i === 0 ? n.name : `${n.name}/${i}`;
        for (let j = 1; i > 0 && names.has(name); j++) name = `${n.name}/${i}_${j}`;
        names.add(name);
        nodes.push({ name, op: 'Identity', inputs: [n.inputs[first + i]!], outputs: [o], attrs: {}, ...(n.branch ? { branch: n.branch } : {}) });
      });
      ctx.log({ pass: 'fold-if', node: n.name, message: `condition is constant ${side === 'then'}: ${side}_branch inlined` });
      changed = true;
    }
    return changed ? withGraph(graph, { nodes }) : graph;
  },
};
