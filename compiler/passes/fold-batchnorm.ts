// fold-batchnorm: folds an inference BatchNormalization into the weights and bias of the Conv or
// Gemm that feeds it.

import type { Attr, Constant, Graph, Node } from '../ir/graph.js';
import { attrFloat, attrInt } from '../ir/graph.js';
import { nodeWeightAxes } from '../ir/weight-matrix.js';
import type { GraphEditor, Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

interface Match {
  readonly producer: Node;
  /** Per-channel factor scale / sqrt(var + eps), and shift bias - mean * factor, in float64. */
  readonly factor: Float64Array;
  readonly shift: Float64Array;
}

function f32Constant(ed: GraphEditor, name: string | undefined): Constant | undefined {
  if (name === undefined || name === '') return undefined;
  const c = ed.constant(name);
  return c && c.dtype === 'float32' ? c : undefined;
}

function channelParams(bn: Node, ed: GraphEditor): { factor: Float64Array; shift: Float64Array } | undefined {
  const [scale, bias, mean, variance] = bn.inputs.slice(1, 5).map((x) => f32Constant(ed, x));
  if (!scale || !bias || !mean || !variance) return undefined;
  const c = scale.data.length;
  if (bias.data.length !== c || mean.data.length !== c || variance.data.length !== c) return undefined;
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const factor = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    factor[i] = Number(scale.data[i]) / Math.sqrt(Number(variance.data[i]) + eps);
    shift[i] = Number(bias.data[i]) - Number(mean.data[i]) * factor[i]!;
  }
  return { factor, shift };
}

/** Output channels of the producer's weight, or undefined when the layout is not one we fold. */
function producerChannels(p: Node, ed: GraphEditor): number | undefined {
  const w = f32Constant(ed, p.inputs[1]);
  if (!w) return undefined;
  const biasName = p.inputs[2];
  if (biasName && !f32Constant(ed, biasName)) return undefined;
  if (p.op === 'Conv') return w.shape.length >= 3 ? w.shape[0] : undefined;
  if (w.shape.length !== 2) return undefined;
  return w.shape[nodeWeightAxes(p).out];
}

const bnAfterLinear: RewriteRule<Match> = {
  name: 'bn-after-conv-or-gemm',
  ops: ['BatchNormalization'],
  match(bn, ed) {
    // Cheap structural checks first: inference mode, single use, then the constants.
    if (attrInt(bn, 'training_mode', 0) !== 0) return undefined;
    if (bn.outputs.slice(1).some((o) => !ed.isUnused(o))) return undefined;
    const x = bn.inputs[0];
    if (!x || !ed.hasSingleUse(x)) return undefined;
    const p = ed.producer(x);
    if (!p || (p.op !== 'Conv' && p.op !== 'Gemm') || p.outputs[0] !== x) return undefined;
    if (p.attrs['spc_activation']) return undefined;
    const channels = producerChannels(p, ed);
    const params = channelParams(bn, ed);
    if (channels === undefined || !params || params.factor.length !== channels) return undefined;
    if (p.op === 'Gemm') {
      // Gemm's C broadcasts to [M, N]; fold only when it varies along N alone (or is absent).
      const cName = p.inputs[2];
      const c = cName ? ed.constant(cName) : undefined;
      if (c && c.data.length !== 1 && c.shape[c.shape.length - 1] !== channels) return undefined;
    }
    return { producer: p, ...params };
  },
  rewrite(bn, m, ed) {
    const p = m.producer;
    const channels = m.factor.length;
    const w = ed.constant(p.inputs[1]!)!;
    const wNew = new Float32Array(w.data.length);
    if (nodeWeightAxes(p).out === 0) {
      // Rows are output channels: [M, ...] or Gemm's B^T [N, K].
      const per = w.data.length / channels;
      for (let i = 0; i < w.data.length; i++) wNew[i] = Number(w.data[i]) * m.factor[Math.floor(i / per)]!;
    } else {
      for (let i = 0; i < w.data.length; i++) wNew[i] = Number(w.data[i]) * m.factor[i % channels]!;
    }

    // New bias: (beta·C − mean)·factor + B, i.e. factor·(beta·C) + shift, keeping C's shape when it is per-element.
    const cName = p.inputs[2];
    const c = cName ? ed.constant(cName) : undefined;
    const beta = p.op === 'Gemm' ? attrFloat(p, 'beta', 1) : 1;
    const biasShape = c && c.data.length !== 1 ? c.shape : [channels];
    const bias = new Float32Array(c && c.data.length !== 1 ? c.data.length : channels);
    for (let i = 0; i < bias.length; i++) {
      const ch = i % channels;
      const old = c ? beta * Number(c.data[c.data.length === 1 ? 0 : i]) : 0;
      bias[i] = old * m.factor[ch]! + m.shift[ch]!;
    }

    const wName = ed.freshName(`${p.inputs[1]}_bnfold`);
    const bName = ed.freshName(`${bn.name || bn.outputs[0]}_bias_bnfold`);
    ed.setValue({ name: wName, dtype: 'float32', shape: w.shape, constant: { dtype: 'float32', shape: w.shape, data: wNew } });
    ed.setValue({ name: bName, dtype: 'float32', shape: biasShape, constant: { dtype: 'float32', shape: biasShape, data: bias } });

    const attrs: Record<string, Attr> = { ...p.attrs };
    if (p.op === 'Gemm') attrs['beta'] = { kind: 'float', value: 1 };
    ed.absorb(p, bn, { inputs: [p.inputs[0]!, wName, bName], attrs });
  },
};

/**
 * Folds BatchNormalization (inference) into a preceding Conv or Gemm: the weight's output rows
 * (Gemm: columns of B, or rows when transB) are scaled by scale/sqrt(var+eps) and the bias
 * becomes (bias − mean)·factor + B. Arithmetic runs in float64 and rounds once to float32.
 *
 * Preconditions: the producer's weight, bias and the BN parameters are float32 constants; the
 * producer's output is read only by the BN and is not a graph output; no activation fused yet.
 * Postconditions: such a BN is gone and the producer writes the BN's output name; new weight and
 * bias constants are added (the old ones are left for eliminate-dead-code, as others may share them).
 */
export const foldBatchnorm: Pass = {
  name: 'fold-batchnorm',
  summary: 'fold BatchNormalization into the preceding Conv or Gemm',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    return applyRules(graph, [bnAfterLinear], ctx);
  },
};
