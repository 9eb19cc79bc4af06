// schedule-branches: orders each If's branch nodes just before it, then branch then else, and
// records the two step counts on the If, so the runtime runs only the branch the condition takes.

import type { Graph, Node } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import type { Pass, PassContext } from './pass.js';
// The If attributes the runtime reads: its then and else steps, which end right before it.
import { ELSE_STEPS_ATTR, THEN_STEPS_ATTR } from '../../runtime/loader/check-branches.js';


/** A node's enclosing branches that still exist (a folded If's tag no longer counts). */
function scopeOf(n: Node, ifs: ReadonlyMap<string, Node>): string[] {
  return (n.branch ?? []).filter((b) => ifs.has(b.slice(0, b.lastIndexOf(':'))));
}

/** True when branch path `a` is `b` or encloses it. */
function encloses(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

/**
 * Each node's branch path: the deepest of its own tag and its inputs' producers' paths (a node
 * reading a branch's value belongs to that branch). Fusions make nodes without the tag of the
 * nodes they replace; this puts them back where their data flow says. An If's branch outputs do
 * not count for the If itself. A string says why no path fits (a node reads two sibling branches).
 */
function inferScopes(nodes: readonly Node[], ifs: ReadonlyMap<string, Node>): Map<Node, readonly string[]> | string {
  const producedIn = new Map<string, readonly string[]>();
  const scopes = new Map<Node, readonly string[]>();
  for (const n of nodes) {
    let scope: readonly string[] = scopeOf(n, ifs);
    const reads = n.op === 'If' ? n.inputs.slice(0, 1) : n.inputs;
    for (const x of reads) {
      const from = producedIn.get(x);
      if (!from || encloses(from, scope)) continue;
      if (!encloses(scope, from)) return `'${n.name}' reads values of two different branches (${scope.join(' > ') || 'top'}, ${from.join(' > ')})`;
      scope = from;
    }
    scopes.set(n, scope);
    for (const o of n.outputs) if (o !== '') producedIn.set(o, scope);
  }
  return scopes;
}

/**
 * Why the branches cannot be scheduled (a pass moved a value across a branch boundary), or
 * undefined: every value a branch computes is read only inside that branch, or by its If on
 * that side; no graph output comes from a branch; the order is topological.
 */
function unsafe(g: Graph, order: readonly Node[], scopes: ReadonlyMap<Node, readonly string[]>, ifs: ReadonlyMap<string, Node>): string | undefined {
  const producedIn = new Map<string, readonly string[]>();
  const ready = new Set<string>(g.inputs);
  for (const v of g.values.values()) if (v.constant) ready.add(v.name);
  for (const n of order) {
    const scope = scopes.get(n)!;
    for (const [slot, x] of n.inputs.entries()) {
      if (x === '') continue;
      if (!ready.has(x)) return `'${n.name}' reads '${x}' before it is computed`;
      const from = producedIn.get(x);
      if (!from || from.length === 0) continue;
      // The reader must sit inside the producer's innermost branch, or be that branch's If on its side.
      const inner = from[from.length - 1]!;
      if (scope.includes(inner)) continue;
      const ifName = inner.slice(0, inner.lastIndexOf(':'));
      const k = n.outputs.length;
      const side = slot >= 1 && slot <= k ? 'then' : slot > k ? 'else' : '';
      if (ifs.get(ifName) === n && inner === `${ifName}:${side}`) continue;
      return `'${n.name}' reads '${x}', computed inside ${inner}`;
    }
    for (const o of n.outputs) {
      if (o === '') continue;
      ready.add(o);
      producedIn.set(o, scope);
    }
  }
  for (const o of g.outputs) if ((producedIn.get(o) ?? []).length > 0) return `graph output '${o}' is computed inside a branch`;
  return undefined;
}

/**
 * Orders the nodes so that each If is preceded by its then-branch nodes, then its else-branch
 * nodes (nested Ifs likewise, inside them), and sets the If's `spc_then_steps` / `spc_else_steps`.
 * The memory plan is made on this order: a branch's buffers are live only across its own steps,
 * so skipping a branch leaves nothing else unwritten.
 *
 * Preconditions: kernels selected (runs last, before memory planning). Postconditions: the order
 * is topological; where a branch's values are read outside it (which no pass should produce), the
 * graph is left as it was and both branches run, the If selecting (logged).
 */
export const scheduleBranches: Pass = {
  name: 'schedule-branches',
  summary: 'place each If branch just before its If, so the runtime skips the branch not taken',
  run(graph: Graph, ctx: PassContext): Graph {
    const ifs = new Map(graph.nodes.filter((n) => n.op === 'If').map((n) => [n.name, n]));
    if (ifs.size === 0) return graph;
    const scopes = inferScopes(graph.nodes, ifs);
    if (typeof scopes === 'string') {
      ctx.log({ pass: 'schedule-branches', node: [...ifs.keys()][0]!, message: `both branches of every If run (the If selects): ${scopes}` });
      return graph;
    }
    // Members of each scope (the innermost branch), in graph order; '' is the top.
    const members = new Map<string, Node[]>();
    for (const n of graph.nodes) {
      const s = scopes.get(n)!;
      const key = s.length ? s[s.length - 1]! : '';
      const list = members.get(key) ?? [];
      list.push(n);
      members.set(key, list);
    }
    const order: Node[] = [];
    const orderScopes = new Map<Node, readonly string[]>();
    const emit = (key: string, depth: number): void => {
      for (const n of members.get(key) ?? []) {
        const scope = scopes.get(n)!;
        if (scope.length !== depth) continue; // an inconsistent tag: caught by the count below
        if (n.op !== 'If') { order.push(n); orderScopes.set(n, scope); continue; }
        const before = order.length;
        emit(`${n.name}:then`, depth + 1);
        const thenSteps = order.length - before;
        emit(`${n.name}:else`, depth + 1);
        const elseSteps = order.length - before - thenSteps;
        const scheduled: Node = { ...n, attrs: { ...n.attrs, [THEN_STEPS_ATTR]: { kind: 'int', value: thenSteps }, [ELSE_STEPS_ATTR]: { kind: 'int', value: elseSteps } } };
        order.push(scheduled);
        orderScopes.set(scheduled, scope);
      }
    };
    emit('', 0);
    const why = order.length !== graph.nodes.length ? 'a branch tag names a branch its If is not in'
      : unsafe(graph, order, orderScopes, new Map(order.filter((n) => n.op === 'If').map((n) => [n.name, n])));
    if (why) {
      ctx.log({ pass: 'schedule-branches', node: [...ifs.keys()][0]!, message: `both branches of every If run (the If selects): ${why}` });
      return graph;
    }
    return withGraph(graph, { nodes: order });
  },
};
