// Reference RNN (float32, float64), every attribute of opsets 7–22: one activation per
// direction (default Tanh), clip.
//
//   Ht = f(clip(Xt·Wiᵀ + Ht-1·Riᵀ + Wbi + Rbi))

import { defineKernel, FLOAT_TYPES } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn, refRecurrence, rowDot } from '../common/rnn-plan.js';

export const rnnRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'RNN', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const p = planRnn(c, 'RNN', ['float32', 'float64']);
    const { hidden: H, input: I, attrs } = p;
    const wd = p.w.data as ArrayLike<number>, rd = p.r.data as ArrayLike<number>;
    const bd = p.b?.data as ArrayLike<number> | undefined;
    const acts = attrs.activations.map((list) => activationFn(list[0]!));
    const lim = attrs.clip;
    const next = new Float64Array(H);
    return refRecurrence(p, (d, x, xOff, h) => {
      const f = acts[d]!;
      for (let j = 0; j < H; j++) {
        let v = rowDot(wd, d * H + j, I, x, xOff) + rowDot(rd, d * H + j, H, h, 0);
        if (bd !== undefined) v += bd[d * 2 * H + j]! + bd[d * 2 * H + H + j]!;
        next[j] = f(v < -lim ? -lim : v > lim ? lim : v);
      }
      h.set(next);
    });
  },
});
