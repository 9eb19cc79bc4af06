// Edge cases of the recurrent ops (LSTM, GRU, RNN) for the js-vs-ref tests: hidden sizes around
// the GEMM's 4-column tile (G·H not a multiple of 4), batch 1 / 2 / 5, one step, both layouts,
// every direction, sequence_lens ending entries early, peepholes, clip, input_forget,
// linear_before_reset, optional inputs absent. Only Y is compared (it holds every state).

import type { Attrs } from '../../../runtime/kernels/kernel.js';
import type { EdgeCase } from './edge-cases.js';

const GATES: Readonly<Record<string, number>> = { LSTM: 4, GRU: 3, RNN: 1 };

interface Spec {
  readonly seq: number; readonly batch: number; readonly input: number; readonly hidden: number;
  readonly direction?: 'forward' | 'reverse' | 'bidirectional';
  readonly layout?: 0 | 1;
  readonly bias?: boolean; readonly lens?: readonly number[]; readonly state?: boolean; readonly peep?: boolean;
  readonly attrs?: Attrs;
}

export function recurrentEdgeCases(op: string): EdgeCase[] | undefined {
  const g = GATES[op];
  if (g === undefined) return undefined;
  const lstm = op === 'LSTM';
  const specs: Spec[] = [
    { seq: 1, batch: 1, input: 1, hidden: 1 },
    { seq: 3, batch: 2, input: 5, hidden: 3, bias: true, state: true },
    { seq: 4, batch: 5, input: 3, hidden: 5, direction: 'bidirectional', bias: true, state: true, peep: true, lens: [4, 1, 3, 0, 2] },
    { seq: 5, batch: 3, input: 4, hidden: 7, direction: 'reverse', bias: true, lens: [2, 5, 3], attrs: { clip: 0.5 } },
    { seq: 3, batch: 2, input: 2, hidden: 4, layout: 1, direction: 'bidirectional', state: true, peep: true, lens: [3, 2] },
    { seq: 2, batch: 3, input: 6, hidden: 9, bias: true, state: true, attrs: lstm ? { input_forget: 1 } : op === 'GRU' ? { linear_before_reset: 1 } : { activations: ['Relu'] } },
    { seq: 3, batch: 1, input: 3, hidden: 2, direction: 'bidirectional', bias: true,
      attrs: { activations: Array.from({ length: 2 * (lstm ? 3 : op === 'GRU' ? 2 : 1) }, (_, i) => ['HardSigmoid', 'Softsign', 'Elu', 'LeakyRelu', 'Affine', 'Softplus'][i]!), activation_alpha: [0.3, 0.7, 0.1], activation_beta: [0.4] } },
  ];
  return specs.map((s): EdgeCase => {
    const D = s.direction === 'bidirectional' ? 2 : 1, H = s.hidden, layout = s.layout ?? 0;
    const state = layout === 0 ? [D, s.batch, H] : [s.batch, D, H];
    const inputs: (readonly number[] | undefined)[] = [
      layout === 0 ? [s.seq, s.batch, s.input] : [s.batch, s.seq, s.input],
      [D, g * H, s.input], [D, g * H, H],
      s.bias ? [D, 2 * g * H] : undefined,
      s.lens ? [s.batch] : undefined,
      s.state ? state : undefined,
    ];
    if (lstm) inputs.push(s.state ? state : undefined, s.peep ? [D, 3 * H] : undefined);
    return {
      name: `${op} ${JSON.stringify(s)}`,
      inputs,
      ...(s.lens ? { int64Inputs: { 4: s.lens } } : {}),
      attrs: { hidden_size: H, direction: s.direction ?? 'forward', ...(layout ? { layout } : {}), ...(s.attrs ?? {}) },
      output: layout === 0 ? [s.seq, D, s.batch, H] : [s.batch, s.seq, D, H],
    };
  });
}
