// Reference GRU (float32, float64), every attribute of opsets 7–22: gates z, r, h (W/R rows in
// that order), linear_before_reset, clip, two activations per direction.
//
//   zt = f(clip(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz))
//   rt = f(clip(Xt·Wrᵀ + Ht-1·Rrᵀ + Wbr + Rbr))
//   ht = g(clip(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh))          linear_before_reset = 0
//   ht = g(clip(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh))          linear_before_reset = 1
//   Ht = (1 − zt) ⊙ ht + zt ⊙ Ht-1

import { defineKernel, FLOAT_TYPES } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn, refRecurrence, rowDot } from '../common/rnn-plan.js';

export const gruRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'GRU', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const p = planRnn(c, 'GRU', ['float32', 'float64']);
    const { hidden: H, input: I, attrs } = p;
    const wd = p.w.data as ArrayLike<number>, rd = p.r.data as ArrayLike<number>;
    const bd = p.b?.data as ArrayLike<number> | undefined;
    const acts = attrs.activations.map((list) => list.map(activationFn));
    const lim = attrs.clip;
    const clip = (v: number): number => (v < -lim ? -lim : v > lim ? lim : v);
    const wb = (d: number, row: number): number => (bd === undefined ? 0 : bd[d * 6 * H + row]!);
    const rb = (d: number, row: number): number => (bd === undefined ? 0 : bd[d * 6 * H + 3 * H + row]!);
    const z = new Float64Array(H), r = new Float64Array(H), rh = new Float64Array(H), next = new Float64Array(H);
    return refRecurrence(p, (d, x, xOff, h) => {
      const [f, g] = acts[d]!;
      const gate = (row: number): number => rowDot(wd, d * 3 * H + row, I, x, xOff) + rowDot(rd, d * 3 * H + row, H, h, 0) + wb(d, row) + rb(d, row);
      for (let j = 0; j < H; j++) {
        z[j] = f!(clip(gate(j)));
        r[j] = f!(clip(gate(H + j)));
        rh[j] = r[j]! * h[j]!;
      }
      for (let j = 0; j < H; j++) {
        const row = 2 * H + j;
        const xw = rowDot(wd, d * 3 * H + row, I, x, xOff) + wb(d, row);
        const v = attrs.linearBeforeReset
          ? xw + r[j]! * (rowDot(rd, d * 3 * H + row, H, h, 0) + rb(d, row))
          : xw + rowDot(rd, d * 3 * H + row, H, rh, 0) + rb(d, row);
        const ht = g!(clip(v));
        next[j] = (1 - z[j]!) * ht + z[j]! * h[j]!;
      }
      h.set(next);
    });
  },
});
