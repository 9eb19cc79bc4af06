// fuse-hardswish: rewrites HardSwish as exporters decompose it into one HardSwish node, so it
// runs as one pass over the tensor instead of two or four kernels and an intermediate.

import type { Graph, Node } from '../ir/graph.js';
import { attrFloat, withGraph } from '../ir/graph.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';
import { clipBound } from './fuse-activation.js';

/** HardSwish's first opset; a graph at 13 is raised to it when a fusion happens. */
const HARDSWISH_OPSET = 14;

interface Match {
  readonly x: string;
  /** The pattern's nodes before the last (whose output becomes HardSwish's). */
  readonly inner: readonly Node[];
}

/** The one node reading `name`, when it is read once and is not a graph output. */
export function producerOfSingleUse(ed: GraphEditor, name: string | undefined): Node | undefined {
  return name !== undefined && ed.hasSingleUse(name) ? ed.producer(name) : undefined;
}

/** A float32 constant holding one value, of rank at most x's (so it cannot change the result's shape). */
export function scalarOf(ed: GraphEditor, name: string | undefined, x: string): number | undefined {
  const c = name === undefined ? undefined : ed.constant(name);
  const rank = ed.value(x)?.shape?.length ?? 0;
  return c && c.dtype === 'float32' && c.data.length === 1 && c.shape.length <= rank ? Number(c.data[0]) : undefined;
}

/** Equal within float32 rounding of the value (exporters write 1/6 as float32). */
export const near = (v: number | undefined, want: number): boolean => v !== undefined && Math.abs(v - want) <= 1e-6 * Math.abs(want);

/** x and the other operand of a two-input node, for each order (Mul commutes). */
export const operandPairs = (n: Node): [string, string][] => (n.inputs.length === 2 ? [[n.inputs[0]!, n.inputs[1]!], [n.inputs[1]!, n.inputs[0]!]] : []);

export const isFloat32 = (ed: GraphEditor, x: string): boolean => ed.value(x)?.dtype === 'float32';

/** y = Mul(x, HardSigmoid(x, alpha 1/6, beta 1/2)), either order (PyTorch's Hardswish before opset 14). */
const timesHardSigmoid: RewriteRule<Match> = {
  name: 'x-times-hardsigmoid',
  ops: ['Mul'],
  match(mul, ed) {
    for (const [x, h] of operandPairs(mul)) {
      const hs = producerOfSingleUse(ed, h);
      if (!hs || hs.op !== 'HardSigmoid' || hs.inputs[0] !== x || !isFloat32(ed, x)) continue;
      if (!near(attrFloat(hs, 'alpha', 0.2), 1 / 6) || !near(attrFloat(hs, 'beta', 0.5), 0.5)) continue;
      return { x, inner: [hs] };
    }
    return undefined;
  },
  rewrite: (mul, m, ed) => toHardSwish(mul, m, ed),
};

/** y = Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6), or Mul(…, 1/6) (TensorFlow's and Keras' hard_swish). */
const clipOverSix: RewriteRule<Match> = {
  name: 'x-times-clip-over-six',
  ops: ['Div', 'Mul'],
  match(last, ed) {
    const [p, k] = last.inputs;
    const six = last.op === 'Div' ? near(scalarOf(ed, k, p ?? ''), 6) : undefined;
    for (const [prod, c] of last.op === 'Div' ? (six ? [[p!, k!] as [string, string]] : []) : operandPairs(last)) {
      if (last.op === 'Mul' && !near(scalarOf(ed, c, prod), 1 / 6)) continue;
      const mul = producerOfSingleUse(ed, prod);
      if (!mul || mul.op !== 'Mul') continue;
      for (const [x, clipped] of operandPairs(mul)) {
        const clip = producerOfSingleUse(ed, clipped);
        if (!clip || clip.op !== 'Clip' || !isFloat32(ed, x)) continue;
        if (clipBound(clip, ed, 1) !== 0 || clipBound(clip, ed, 2) !== 6) continue;
        const add = producerOfSingleUse(ed, clip.inputs[0]);
        if (!add || add.op !== 'Add') continue;
        if (!operandPairs(add).some(([a, three]) => a === x && scalarOf(ed, three, x) === 3)) continue;
        return { x, inner: [add, clip, mul] };
      }
    }
    return undefined;
  },
  rewrite: (last, m, ed) => toHardSwish(last, m, ed),
};

function toHardSwish(last: Node, m: Match, ed: GraphEditor): void {
  for (const n of m.inner) {
    ed.removeNode(n);
    for (const o of n.outputs) if (o !== '') ed.removeValue(o);
  }
  ed.replaceNode(last, { name: last.name, op: 'HardSwish', inputs: [m.x], outputs: [last.outputs[0]!], attrs: {} });
}

/**
 * Fuses HardSwish as exporters write it: x·HardSigmoid(x) with alpha 1/6 and beta 1/2 (PyTorch
 * before opset 14), and x·Clip(x + 3, 0, 6)/6 or ·(1/6) (TensorFlow/Keras), into HardSwish(x).
 *
 * Preconditions: shapes inferred; x is float32; every intermediate is read once, inside the
 * pattern, and is not a graph output; 3, 6 and 1/6 are one-value float32 constants of rank at
 * most x's, Clip's bounds constants 0 and 6; the graph's opset is at least 13 (a fused graph at
 * 13 is raised to 14, HardSwish's first, whose other ops keep their opset-13 meaning by default).
 * Postconditions: the pattern's nodes are gone, the last one's output is HardSwish's; the graph
 * computes the same function up to float rounding (HardSigmoid's alpha is 1/6 rounded to float32).
 */
export const fuseHardswish: Pass = {
  name: 'fuse-hardswish',
  summary: 'fuse x·HardSigmoid(x) and x·Clip(x+3, 0, 6)/6 into HardSwish',
  requires: ['shapes'],
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    if (graph.opset < 13) return graph;
    const out = applyRules(graph, [timesHardSigmoid, clipOverSix], ctx);
    return out === graph || out.opset >= HARDSWISH_OPSET ? out : withGraph(out, { opset: HARDSWISH_OPSET });
  },
};
