// fuse-activation: folds a Relu or Clip into the Conv, Gemm or MatMul that feeds it, as an
// epilogue the kernel applies on its way out.

import type { Attr, Graph, Node } from '../ir/graph.js';
import { attrFloat } from '../ir/graph.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

/** float32's largest finite value: the bound an absent Clip limit stands for (ONNX's own old-opset default). */
export const FLOAT32_MAX = 3.4028234663852886e38;

const PRODUCERS = new Set(['Conv', 'Gemm', 'MatMul']);

interface Match {
  readonly producer: Node;
  readonly activation: 'relu' | 'clip';
  readonly min: number;
  readonly max: number;
}

/** A Clip bound: from the optional constant input (opset ≥ 11) or the attribute (older opsets). */
export function clipBound(act: Node, ed: GraphEditor, k: 1 | 2): number | undefined {
  const dflt = k === 1 ? -FLOAT32_MAX : FLOAT32_MAX;
  if (ed.opset < 11) return attrFloat(act, k === 1 ? 'min' : 'max', dflt);
  const name = act.inputs[k];
  if (name === undefined || name === '') return dflt;
  const c = ed.constant(name);
  if (!c || c.data.length !== 1) return undefined;
  return Math.min(Math.max(Number(c.data[0]), -FLOAT32_MAX), FLOAT32_MAX);
}

const activationAfterLinear: RewriteRule<Match> = {
  name: 'activation-after-linear',
  ops: ['Relu', 'Clip'],
  match(act, ed) {
    const x = act.inputs[0];
    if (!x || !ed.hasSingleUse(x)) return undefined;
    const p = ed.producer(x);
    if (!p || !PRODUCERS.has(p.op) || p.outputs[0] !== x || p.attrs['spc_activation']) return undefined;
    if (ed.value(x)?.dtype !== 'float32') return undefined;
    if (act.op === 'Relu') return { producer: p, activation: 'relu', min: 0, max: FLOAT32_MAX };
    const min = clipBound(act, ed, 1);
    const max = clipBound(act, ed, 2);
    if (min === undefined || max === undefined) return undefined;
    return { producer: p, activation: 'clip', min, max };
  },
  rewrite(act, m, ed) {
    const p = m.producer;
    const attrs: Record<string, Attr> = {
      ...p.attrs,
      spc_activation: { kind: 'string', value: m.activation },
      spc_act_min: { kind: 'float', value: m.min },
      spc_act_max: { kind: 'float', value: m.max },
    };
    ed.absorb(p, act, { attrs });
  },
};

/**
 * Fuses Relu and Clip into a preceding Conv, Gemm or MatMul by setting `spc_activation`
 * ('relu' | 'clip'), `spc_act_min` and `spc_act_max` on the producer, which then writes the
 * activation's output. Relu is recorded as min 0, max FLOAT32_MAX; an absent Clip bound as
 * ∓FLOAT32_MAX, so the bounds are always finite floats.
 *
 * Preconditions: the producer's float32 output is read only by the activation and is not a graph
 * output; Clip bounds are constants; the producer has no fused activation yet.
 * Postconditions: the activation node is gone; the graph computes the same function.
 */
export const fuseActivation: Pass = {
  name: 'fuse-activation',
  summary: 'fuse Relu/Clip into the preceding Conv, Gemm or MatMul',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    return applyRules(graph, [activationAfterLinear], ctx);
  },
};
