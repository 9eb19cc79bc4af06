// Reference LSTM (float32, float64), every attribute of opsets 7–22: gates i, o, f, c (W/R rows
// in that order), peepholes P (i, o, f), input_forget, clip, three activations per direction.
//
//   it = f(clip(Xt·Wiᵀ + Ht-1·Riᵀ + Pi ⊙ Ct-1 + Wbi + Rbi))
//   ft = f(clip(Xt·Wfᵀ + Ht-1·Rfᵀ + Pf ⊙ Ct-1 + Wbf + Rbf))     (1 − it with input_forget)
//   ct = g(clip(Xt·Wcᵀ + Ht-1·Rcᵀ + Wbc + Rbc))
//   Ct = ft ⊙ Ct-1 + it ⊙ ct
//   ot = f(clip(Xt·Woᵀ + Ht-1·Roᵀ + Po ⊙ Ct + Wbo + Rbo))
//   Ht = ot ⊙ h(Ct)
//
// clip bounds the gates' pre-activations only: h's input Ct is not clipped (onnxruntime's
// reading of "applied to the input of activations"; the spec's reference has no clip).

import { defineKernel, FLOAT_TYPES } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn, refRecurrence, rowDot } from '../common/rnn-plan.js';

export const lstmRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'LSTM', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const p = planRnn(c, 'LSTM', ['float32', 'float64']);
    const { hidden: H, input: I, attrs } = p;
    const wd = p.w.data as ArrayLike<number>, rd = p.r.data as ArrayLike<number>;
    const bd = p.b?.data as ArrayLike<number> | undefined, pd = p.p?.data as ArrayLike<number> | undefined;
    const acts = attrs.activations.map((list) => list.map(activationFn));
    const lim = attrs.clip;
    const clip = (v: number): number => (v < -lim ? -lim : v > lim ? lim : v);
    const pre = new Float64Array(4 * H), cNew = new Float64Array(H);
    return refRecurrence(p, (d, x, xOff, h, cs) => {
      const [f, g, hAct] = acts[d]!;
      // Gate pre-activations without peepholes: rows d·4H + k·H + j of W, R and both halves of B.
      for (let row = 0; row < 4 * H; row++) {
        let v = rowDot(wd, d * 4 * H + row, I, x, xOff) + rowDot(rd, d * 4 * H + row, H, h, 0);
        if (bd !== undefined) v += bd[d * 8 * H + row]! + bd[d * 8 * H + 4 * H + row]!;
        pre[row] = v;
      }
      const peep = (k: number, j: number, state: number): number => (pd === undefined ? 0 : pd[d * 3 * H + k * H + j]! * state);
      for (let j = 0; j < H; j++) {
        const i = f!(clip(pre[j]! + peep(0, j, cs[j]!)));
        const fg = attrs.inputForget ? 1 - i : f!(clip(pre[2 * H + j]! + peep(2, j, cs[j]!)));
        const cc = g!(clip(pre[3 * H + j]!));
        cNew[j] = fg * cs[j]! + i * cc;
      }
      for (let j = 0; j < H; j++) {
        const o = f!(clip(pre[H + j]! + peep(1, j, cNew[j]!)));
        h[j] = o * hAct!(cNew[j]!);
        cs[j] = cNew[j]!;
      }
    });
  },
});
