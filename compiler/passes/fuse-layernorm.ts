// fuse-layernorm: rewrites LayerNorm as exporters decompose it (PyTorch before opset 17) into one
// ONNX LayerNormalization node, so it runs as one pass over each row instead of nine kernels.

import type { Constant, Graph, Node } from '../ir/graph.js';
import { attrInt, attrInts, isStatic, withGraph } from '../ir/graph.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

/** LayerNormalization's first opset; an older graph is raised to it when a fusion happens. */
const LAYERNORM_OPSET = 17;
/**
 * Ops whose meaning changed between opsets 13 and 17 (RoiAlign-16 changed its default
 * coordinate mode): a graph holding one is not raised to opset 17, so it is not fused.
 */
const CHANGED_SINCE_13 = new Set(['RoiAlign']);

interface Match {
  readonly x: string;
  readonly eps: number;
  readonly gamma?: string;
  readonly beta?: string;
  /** The last node of the pattern (its output becomes the LayerNormalization's). */
  readonly last: Node;
  /** Every other node of the pattern, to remove. */
  readonly inner: readonly Node[];
  readonly channels: number;
}

/** The one node reading `name`, when it is read once and is not a graph output. */
function soleConsumer(ed: GraphEditor, name: string): Node | undefined {
  return ed.hasSingleUse(name) ? ed.consumers(name)[0] : undefined;
}

/** A float32 constant holding exactly one value, of rank at most `rank` (so it cannot raise the result's rank). */
function scalarOf(ed: GraphEditor, name: string | undefined, rank: number): number | undefined {
  const c = name === undefined ? undefined : ed.constant(name);
  return c && c.dtype === 'float32' && c.data.length === 1 && c.shape.length <= rank ? Number(c.data[0]) : undefined;
}

/** True for a keepdims ReduceMean of `input` over its last axis alone (axes as attribute, or as constant input from opset 18). */
function isLastAxisMean(n: Node, ed: GraphEditor, input: string, rank: number): boolean {
  if (n.op !== 'ReduceMean' || n.inputs[0] !== input || attrInt(n, 'keepdims', 1) !== 1) return false;
  let axes = attrInts(n, 'axes');
  if (axes === undefined && n.inputs[1]) {
    const c = ed.constant(n.inputs[1]);
    axes = c ? Array.from(c.data, Number) : undefined;
  }
  return axes !== undefined && axes.length === 1 && (axes[0] === -1 || axes[0] === rank - 1);
}

/** The other operand of a binary node that reads `x` on either side (Mul, Add commute). */
function otherOperand(n: Node, x: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  if (n.inputs[0] === x && n.inputs[1] !== x) return n.inputs[1];
  if (n.inputs[1] === x && n.inputs[0] !== x) return n.inputs[0];
  return undefined;
}

/** A float32 constant of `channels` values laid along the last axis ([C] or [1,…,1,C]). */
function isChannelVector(c: Constant | undefined, channels: number, rank: number): boolean {
  if (!c || c.dtype !== 'float32' || c.shape.length > rank || c.shape.length === 0) return false;
  return c.shape[c.shape.length - 1] === channels && c.shape.slice(0, -1).every((d) => d === 1);
}

/**
 * mean = ReduceMean(x, [-1]); d = Sub(x, mean); p = Pow(d, 2); v = ReduceMean(p, [-1]);
 * ve = Add(v, eps); s = Sqrt(ve); n = Div(d, s); [g = Mul(n, γ)]; [y = Add(g, β)].
 */
const decomposedLayerNorm: RewriteRule<Match> = {
  name: 'decomposed-layernorm',
  ops: ['ReduceMean'],
  match(mean, ed) {
    const x = mean.inputs[0];
    const xv = x ? ed.value(x) : undefined;
    if (!x || !xv || xv.dtype !== 'float32' || !isStatic(xv.shape) || xv.shape.length === 0) return undefined;
    const rank = xv.shape.length;
    const channels = xv.shape[rank - 1]!;
    if (!isLastAxisMean(mean, ed, x, rank)) return undefined;
    const sub = soleConsumer(ed, mean.outputs[0]!);
    if (!sub || sub.op !== 'Sub' || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return undefined;
    const d = sub.outputs[0]!;
    // d feeds the Pow and the Div, once each.
    if (ed.isGraphOutput(d)) return undefined;
    const dUsers = ed.consumers(d);
    const pow = dUsers.find((n) => n.op === 'Pow');
    const div = dUsers.find((n) => n.op === 'Div');
    if (dUsers.length !== 2 || !pow || !div || pow.inputs[0] !== d || scalarOf(ed, pow.inputs[1], rank) !== 2) return undefined;
    const varMean = soleConsumer(ed, pow.outputs[0]!);
    if (!varMean || !isLastAxisMean(varMean, ed, pow.outputs[0]!, rank)) return undefined;
    const addEps = soleConsumer(ed, varMean.outputs[0]!);
    if (!addEps || addEps.op !== 'Add') return undefined;
    const eps = scalarOf(ed, otherOperand(addEps, varMean.outputs[0]!), rank);
    if (eps === undefined || !(eps >= 0)) return undefined;
    const sqrt = soleConsumer(ed, addEps.outputs[0]!);
    if (!sqrt || sqrt.op !== 'Sqrt') return undefined;
    if (soleConsumer(ed, sqrt.outputs[0]!) !== div || div.inputs[0] !== d || div.inputs[1] !== sqrt.outputs[0]) return undefined;
    const inner = [mean, sub, pow, varMean, addEps, sqrt];
    let last = div;
    let gamma: string | undefined, beta: string | undefined;
    const mul = soleConsumer(ed, div.outputs[0]!);
    const g = mul?.op === 'Mul' ? otherOperand(mul, div.outputs[0]!) : undefined;
    if (mul && g !== undefined && isChannelVector(ed.constant(g), channels, rank)) {
      inner.push(last);
      last = mul;
      gamma = g;
    }
    const add = soleConsumer(ed, last.outputs[0]!);
    const b = add?.op === 'Add' ? otherOperand(add, last.outputs[0]!) : undefined;
    if (add && b !== undefined && isChannelVector(ed.constant(b), channels, rank)) {
      inner.push(last);
      last = add;
      beta = b;
    }
    return { x, eps, gamma, beta, last, inner, channels };
  },
  rewrite(_mean, m, ed) {
    // Scale and bias as [C]: LayerNormalization wants the normalised shape.
    const vector = (name: string | undefined, fill: number, base: string): string => {
      const c = name === undefined ? undefined : ed.constant(name);
      if (name !== undefined && c && c.shape.length === 1) return name;
      const fresh = ed.freshName(base);
      const data = c ? Float32Array.from(c.data as Float32Array) : new Float32Array(m.channels).fill(fill);
      ed.setValue({ name: fresh, dtype: 'float32', shape: [m.channels], constant: { dtype: 'float32', shape: [m.channels], data } });
      return fresh;
    };
    const y = m.last.outputs[0]!;
    const scale = vector(m.gamma, 1, `${y}_scale`);
    const bias = m.beta === undefined ? undefined : vector(m.beta, 0, `${y}_bias`);
    for (const n of m.inner) {
      ed.removeNode(n);
      for (const o of n.outputs) if (o !== '') ed.removeValue(o);
    }
    ed.replaceNode(m.last, {
      name: m.last.name,
      op: 'LayerNormalization',
      inputs: bias === undefined ? [m.x, scale] : [m.x, scale, bias],
      outputs: [y],
      attrs: { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: m.eps } },
    });
  },
};

/**
 * Fuses the decomposed LayerNorm (ReduceMean over the last axis → Sub → Pow 2 → ReduceMean →
 * Add ε → Sqrt → Div → [Mul γ] → [Add β]) into LayerNormalization(axis −1, epsilon ε), with
 * scale γ (ones when absent) and bias β as [C] constants.
 *
 * Preconditions: shapes inferred; x is float32 with a static shape; every intermediate is read
 * only inside the pattern and is not a graph output; Pow's exponent and ε are scalar constants;
 * γ and β are float32 constants of shape [C] or [1,…,1,C]; the graph's opset is at least 13
 * and it holds no op whose meaning changed by opset 17 (a fused graph is raised to opset 17,
 * LayerNormalization's first, so `--emit-onnx` writes valid ONNX).
 * Postconditions: the pattern's nodes are gone, the last one's output is the LayerNormalization's;
 * the graph computes the same function up to float rounding.
 */
export const fuseLayernorm: Pass = {
  name: 'fuse-layernorm',
  summary: 'fuse the decomposed LayerNorm (ReduceMean…Div, Mul, Add) into LayerNormalization',
  requires: ['shapes'],
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    if (graph.opset < 13 || graph.nodes.some((n) => CHANGED_SINCE_13.has(n.op))) return graph;
    const out = applyRules(graph, [decomposedLayerNorm], ctx);
    return out === graph || out.opset >= LAYERNORM_OPSET ? out : withGraph(out, { opset: LAYERNORM_OPSET });
  },
};
