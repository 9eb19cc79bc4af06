// The IR verifier: structural invariants every graph must satisfy between passes. It lists
// every violation at once, so a broken pass shows all the damage it did in one run.

import type { Graph } from './graph.js';
import { isStatic } from './graph.js';
import { DTYPE_BYTES, sizeOf } from '../../runtime/tensor.js';

export interface VerifyOptions {
  /** Also require every value to have a static numeric shape (after shape inference on a pinned model). */
  readonly requireShapes?: boolean;
}

// Every dtype the runtime stores (one list: DTYPE_BYTES's keys).
const DTYPES: ReadonlySet<string> = new Set(Object.keys(DTYPE_BYTES));

/** Returns every violation of the IR invariants in `g` (empty when the graph is well formed). */
export function graphViolations(g: Graph, opts: VerifyOptions = {}): string[] {
  const bad: string[] = [];
  const producedAt = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      const j = producedAt.get(o);
      if (j !== undefined) bad.push(`value %${o} is produced twice: by node '${g.nodes[j]!.name}' (#${j}) and node '${n.name}' (#${i})`);
      else producedAt.set(o, i);
    }
  });

  const graphInputs = new Set<string>();
  for (const name of g.inputs) {
    if (graphInputs.has(name)) bad.push(`graph input %${name} is listed twice`);
    graphInputs.add(name);
    const v = g.values.get(name);
    if (!v) bad.push(`graph input %${name} has no value entry`);
    else if (v.constant) bad.push(`graph input %${name} is a constant`);
    if (producedAt.has(name)) bad.push(`graph input %${name} is also produced by node '${g.nodes[producedAt.get(name)!]!.name}'`);
  }

  const referenced = new Set<string>(g.inputs);
  g.nodes.forEach((n, i) => {
    n.inputs.forEach((x, k) => {
      if (x === '') return;
      referenced.add(x);
      if (graphInputs.has(x) || g.values.get(x)?.constant) return;
      const j = producedAt.get(x);
      if (j === undefined) bad.push(`node '${n.name}' (${n.op}) input ${k} %${x} is not defined (no graph input, constant or producer)`);
      else if (j >= i) bad.push(`nodes out of topological order: node '${n.name}' (#${i}) reads %${x} produced by node '${g.nodes[j]!.name}' (#${j})`);
    });
    for (const o of n.outputs) {
      if (o === '') continue;
      referenced.add(o);
      if (g.values.get(o)?.constant) bad.push(`node '${n.name}' (${n.op}) output %${o} is a constant value`);
    }
  });

  for (const o of g.outputs) {
    referenced.add(o);
    if (!graphInputs.has(o) && !producedAt.has(o) && !g.values.get(o)?.constant) bad.push(`graph output %${o} is not defined`);
  }

  for (const name of referenced) {
    const v = g.values.get(name);
    if (!v) bad.push(`value %${name} is referenced but has no value entry`);
    else if (!DTYPES.has(v.dtype)) bad.push(`value %${name} has no valid dtype (${String(v.dtype)})`);
  }

  for (const [key, v] of g.values) {
    if (key !== v.name) bad.push(`value entry '${key}' is named %${v.name}`);
    const c = v.constant;
    if (c) {
      if (c.dtype !== v.dtype) bad.push(`constant %${key} has dtype ${c.dtype} but its value says ${v.dtype}`);
      if (c.data.length !== sizeOf(c.shape)) bad.push(`constant %${key} holds ${c.data.length} elements, shape [${c.shape.join(',')}] needs ${sizeOf(c.shape)}`);
      if (v.shape && (v.shape.length !== c.shape.length || v.shape.some((d, i) => d !== c.shape[i]))) {
        bad.push(`constant %${key} has shape [${c.shape.join(',')}] but its value says [${v.shape.join(',')}]`);
      }
    }
    if (opts.requireShapes && !isStatic(v.shape) && !c) bad.push(`value %${key} has no static shape (${v.shape ? `[${v.shape.join(',')}]` : 'unknown'})`);
  }
  return bad;
}

/** Throws an Error listing every violation of the IR invariants in `g`. */
export function verifyGraph(g: Graph, opts: VerifyOptions = {}): void {
  const bad = graphViolations(g, opts);
  if (bad.length > 0) throw new Error(`graph '${g.name}' is malformed (${bad.length} violation${bad.length === 1 ? '' : 's'}):\n  ${bad.join('\n  ')}`);
}
