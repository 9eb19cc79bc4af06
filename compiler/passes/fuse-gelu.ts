// fuse-gelu: rewrites GELU as exporters decompose it (the Erf chain and the tanh chain) into one
// Gelu node, so it runs as one vectorized pass over the tensor instead of five to nine kernels.

import type { Graph, Node } from '../ir/graph.js';
import type { Attr } from '../ir/graph.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';
import { isFloat32, near, operandPairs, producerOfSingleUse, scalarOf } from './fuse-hardswish.js';

interface Match {
  readonly x: string;
  readonly approximate: 'none' | 'tanh';
  /** The pattern's nodes before the last (whose output becomes Gelu's). */
  readonly inner: readonly Node[];
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The single-use node producing `name` when it has op `op`. */
function single(ed: GraphEditor, name: string | undefined, op: string): Node | undefined {
  const n = producerOfSingleUse(ed, name);
  return n?.op === op ? n : undefined;
}

/** Erf's argument is x/√2: Div(x, √2) or Mul(x, 1/√2), either order for Mul. */
function erfArgument(ed: GraphEditor, erf: Node): { x: string; inner: Node[] } | undefined {
  const d = producerOfSingleUse(ed, erf.inputs[0]);
  if (d?.op === 'Div' && near(scalarOf(ed, d.inputs[1], d.inputs[0]!), Math.SQRT2)) return { x: d.inputs[0]!, inner: [d] };
  if (d?.op !== 'Mul') return undefined;
  const pair = operandPairs(d).find(([x, k]) => near(scalarOf(ed, k, x), Math.SQRT1_2));
  return pair && { x: pair[0], inner: [d] };
}

/** x³ as Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x). */
function cubeOf(ed: GraphEditor, name: string, x: string): Node[] | undefined {
  const pow = single(ed, name, 'Pow');
  if (pow) return pow.inputs[0] === x && scalarOf(ed, pow.inputs[1], x) === 3 ? [pow] : undefined;
  const m = single(ed, name, 'Mul');
  if (!m) return undefined;
  for (const [a, sq] of operandPairs(m)) {
    const s = a === x ? single(ed, sq, 'Mul') : undefined;
    if (s && s.inputs[0] === x && s.inputs[1] === x) return [m, s];
  }
  return undefined;
}

/** Tanh's argument is √(2/π)·(x + 0.044715·x³) (PyTorch's approximate='tanh', Keras' gelu(approximate=True)). */
function tanhArgument(ed: GraphEditor, tanh: Node): { x: string; inner: Node[] } | undefined {
  const scaled = single(ed, tanh.inputs[0], 'Mul');
  if (!scaled) return undefined;
  for (const [s, k] of operandPairs(scaled)) {
    const add = single(ed, s, 'Add');
    if (!add || !near(scalarOf(ed, k, s), SQRT_2_OVER_PI)) continue;
    for (const [x, t] of operandPairs(add)) {
      const term = single(ed, t, 'Mul');
      if (!term) continue;
      for (const [cube, c] of operandPairs(term)) {
        const nodes = near(scalarOf(ed, c, x), 0.044715) ? cubeOf(ed, cube, x) : undefined;
        if (nodes) return { x, inner: [scaled, add, term, ...nodes] };
      }
    }
  }
  return undefined;
}

/** The three leaves of a product of three factors written as two Muls (any grouping and order), the inner Mul single-use. */
function threeFactors(ed: GraphEditor, last: Node): { leaves: [string, string, string]; inner: Node }[] {
  const out: { leaves: [string, string, string]; inner: Node }[] = [];
  for (const [ab, c] of operandPairs(last)) {
    const m = single(ed, ab, 'Mul');
    if (m && m.inputs.length === 2) out.push({ leaves: [m.inputs[0]!, m.inputs[1]!, c], inner: m });
  }
  return out;
}

/** y = x·(1 + f(x))·0.5 in any grouping, f = Erf(x/√2) or Tanh(√(2/π)·(x + 0.044715·x³)). */
const geluChain: RewriteRule<Match> = {
  name: 'x-times-one-plus-erf-or-tanh-over-two',
  ops: ['Mul'],
  match(last, ed) {
    for (const { leaves, inner } of threeFactors(ed, last)) {
      for (let h = 0; h < 3; h++) {
        const half = leaves[h]!, rest = leaves.filter((_, i) => i !== h);
        for (const [x, a] of [[rest[0]!, rest[1]!], [rest[1]!, rest[0]!]] as const) {
          if (!isFloat32(ed, x) || !near(scalarOf(ed, half, x), 0.5)) continue;
          const add = single(ed, a, 'Add');
          if (!add) continue;
          for (const [f, one] of operandPairs(add)) {
            if (scalarOf(ed, one, x) !== 1) continue;
            const erf = single(ed, f, 'Erf'), tanh = single(ed, f, 'Tanh');
            const arg = erf ? erfArgument(ed, erf) : tanh ? tanhArgument(ed, tanh) : undefined;
            if (!arg || arg.x !== x) continue;
            return { x, approximate: erf ? 'none' : 'tanh', inner: [inner, add, (erf ?? tanh)!, ...arg.inner] };
          }
        }
      }
    }
    return undefined;
  },
  rewrite(last, m, ed) {
    for (const n of m.inner) {
      ed.removeNode(n);
      for (const o of n.outputs) if (o !== '') ed.removeValue(o);
    }
    const attrs: Record<string, Attr> = m.approximate === 'tanh' ? { approximate: { kind: 'string', value: 'tanh' } } : {};
    ed.replaceNode(last, { name: last.name, op: 'Gelu', inputs: [m.x], outputs: [last.outputs[0]!], attrs });
  },
};

/**
 * Fuses GELU as exporters write it into Gelu(x): x·(1 + Erf(x/√2))·0.5 (PyTorch's nn.GELU,
 * TensorFlow's gelu; x/√2 as Div or as Mul by 1/√2) into Gelu, and x·(1 + Tanh(√(2/π)·(x +
 * 0.044715·x³)))·0.5 (approximate='tanh'; x³ as Pow(x, 3) or two Muls) into Gelu with
 * approximate 'tanh'; the three factors in any grouping and order.
 *
 * Preconditions: shapes inferred; x is float32; every intermediate is read once, inside the
 * pattern, and is not a graph output; the constants hold one float32 value each, of rank at
 * most x's (so none broadcasts the result to a bigger shape).
 * Postconditions: the pattern's nodes are gone, the last Mul's output is Gelu's; the graph
 * computes the same function up to float rounding. Gelu is ONNX's from opset 20; the graph's
 * opset is kept, not raised (17 → 20 changes the meaning of Pad, Split, Resize and the Reduce ops'
 * axes a graph may hold): spc's kernels read Gelu the same at every opset.
 */
export const fuseGelu: Pass = {
  name: 'fuse-gelu',
  summary: 'fuse x·(1 + Erf(x/√2))·0.5 and its tanh form into Gelu',
  requires: ['shapes'],
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    return applyRules(graph, [geluChain], ctx);
  },
};
