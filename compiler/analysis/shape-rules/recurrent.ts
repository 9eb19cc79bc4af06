// Shape rules of the recurrent operators LSTM, GRU and RNN (opsets 7–22): attributes are
// resolved and checked by the same code the kernels use (runtime/kernels/common/rnn.ts), so a
// bad node fails here, naming it, rather than at load.

import type { Dim, DType } from '../../ir/graph.js';
import type { Out, Rule, RuleCtx } from './rule.js';
import { fmt } from './rule.js';
import type { AttrValue } from '../../../runtime/kernels/kernel.js';
import type { RnnOp } from '../../../runtime/kernels/common/rnn.js';
import { RNN_INPUT, rnnArity, rnnAttrs, rnnShapes } from '../../../runtime/kernels/common/rnn.js';


const FLOAT: readonly DType[] = ['float32', 'float64'];
const INPUT_NAMES = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];

function recurrent(op: RnnOp): Rule {
  return (c: RuleCtx): Out[] => {
    const arity = rnnArity(op);
    if (c.node.inputs.length > arity.inputs) c.fail(`takes at most ${arity.inputs} inputs, the node has ${c.node.inputs.length}`);
    if (c.node.outputs.length > arity.outputs) c.fail(`has at most ${arity.outputs} outputs, the node has ${c.node.outputs.length}`);
    if (c.opset < 14 && c.node.attrs['layout'] !== undefined) c.fail(`attribute layout is not part of ${op} before opset 14 (the model's opset is ${c.opset})`);
    const plain: Record<string, AttrValue> = {};
    for (const [k, a] of Object.entries(c.node.attrs)) if (a.kind !== 'tensor') plain[k] = a.value;
    const attrs = rnnAttrs(op, plain, (m) => c.fail(m));
    const x = c.in(RNN_INPUT.X);
    if (!FLOAT.includes(x.dtype)) c.fail(`X is ${x.dtype}, expected float32 or float64`);
    for (let i = 1; i < c.inputs.length; i++) {
      const v = c.inputs[i];
      if (v === undefined) continue;
      const want = i === RNN_INPUT.sequenceLens ? ['int32', 'int64'] : [x.dtype];
      if (!want.includes(v.dtype)) c.fail(`${INPUT_NAMES[i]} is ${v.dtype}, expected ${want.join(' or ')}`);
    }
    c.in(RNN_INPUT.W);
    const rs = c.in(RNN_INPUT.R).shape;
    const xs = x.shape;
    if (xs && xs.length !== 3) c.fail(`X has shape ${fmt(xs)}, expected rank 3`);
    if (rs && rs.length !== 3) c.fail(`R has shape ${fmt(rs)}, expected rank 3`);
    const fromR = rs?.[2];
    if (attrs.hiddenSize !== undefined && typeof fromR === 'number' && fromR !== attrs.hiddenSize) {
      c.fail(`hidden_size ${attrs.hiddenSize} differs from R's last dimension ${fromR}`);
    }
    const hidden: Dim = attrs.hiddenSize ?? fromR ?? '?';
    if (hidden === 0) c.fail(`R has shape ${fmt(rs!)}: the hidden size must be at least 1`);
    const outs = (shapes?: readonly (readonly Dim[])[]): Out[] =>
      c.node.outputs.map((_, i) => (shapes ? { dtype: x.dtype, shape: shapes[i]! } : { dtype: x.dtype }));
    if (!xs || typeof hidden !== 'number') return outs();
    const [seq, batch] = attrs.layout === 0 ? [xs[0]!, xs[1]!] : [xs[1]!, xs[0]!];
    // rnnShapes works on numbers; symbolic extents are carried through by position.
    const expected = rnnShapes(attrs, { seq: -1, batch: -2, input: -3, hidden });
    const dim = (d: number): Dim => (d === -1 ? seq : d === -2 ? batch : d === -3 ? xs[2]! : d);
    for (let i = 1; i < c.inputs.length; i++) {
      const s = c.inputs[i]?.shape;
      if (s === undefined) continue;
      const want = expected.inputs[i]!.map(dim);
      const bad = s.length !== want.length || s.some((d, k) => typeof d === 'number' && typeof want[k] === 'number' && d !== want[k]);
      if (bad) c.fail(`${INPUT_NAMES[i]} has shape ${fmt(s)}, expected ${fmt(want)}`);
    }
    return outs(expected.outputs.map((s) => s.map(dim)));
  };
}

export const RECURRENT_RULES: Readonly<Record<string, Rule>> = {
  LSTM: recurrent('LSTM'), GRU: recurrent('GRU'), RNN: recurrent('RNN'),
};
