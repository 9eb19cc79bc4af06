// js GRU (float32): projections as GEMMs (rnn-core.ts). linear_before_reset = 0 needs
// (rt ⊙ Ht-1)·Rhᵀ, so each step runs two recurrent GEMMs: z,r rows first, then the h rows on
// the reset state; linear_before_reset = 1 runs one over all three gates (equations: ref/gru.ts).
// The cell is shared with the wasmsimd kernel (wasm/recurrent.ts).

import { defineKernel } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn } from '../common/rnn-plan.js';
import type { RnnCell, RnnCore } from './rnn-core.js';
import { JS_MEMORY, makeRnnCore, runRnn } from './rnn-core.js';

type Fn = (x: number) => number;

export function gruCell(core: RnnCore): RnnCell {
  const { p, xw, h, rd, bias, clip, mem } = core;
  const { hidden: H, batch, attrs } = p;
  const bd = p.b?.data as Float32Array | undefined;
  const acts = attrs.activations.map((list) => list.map(activationFn) as [Fn, Fn]);
  const lbr = attrs.linearBeforeReset;
  // hr: the recurrent projection (z, r rows; all three with linear_before_reset), rh: rt ⊙ Ht-1, hh: (rt ⊙ Ht-1)·Rhᵀ.
  const hr = mem.alloc(batch * 3 * H), rh = mem.alloc(batch * H), hh = mem.alloc(batch * H);
  const z = new Float32Array(batch * H);
  const gates = lbr ? 3 : 2;
  return {
    step(d, xRow) {
      const [f, g] = acts[d]!;
      const bo = d * 3 * H, ro = d * 3 * H * H;
      mem.dot(batch, gates * H, H, h, 0, rd, ro, hr, 0);
      for (let b = 0; b < batch; b++) {
        const row = xRow[b]!;
        if (row < 0) continue;
        const xo = row * 3 * H, ho = b * gates * H, so = b * H;
        for (let j = 0; j < H; j++) {
          z[so + j] = f(clip(xw[xo + j]! + hr[ho + j]! + bias[bo + j]!));
          const r = f(clip(xw[xo + H + j]! + hr[ho + H + j]! + bias[bo + H + j]!));
          if (lbr) {
            // Wbh and Rbh apart: Rbh is inside the reset product.
            const wbh = bd === undefined ? 0 : bd[d * 6 * H + 2 * H + j]!, rbh = bd === undefined ? 0 : bd[d * 6 * H + 5 * H + j]!;
            hh[so + j] = g(clip(xw[xo + 2 * H + j]! + wbh + r * (hr[ho + 2 * H + j]! + rbh)));
          } else rh[so + j] = r * h[so + j]!;
        }
      }
      if (!lbr) mem.dot(batch, H, H, rh, 0, rd, ro + 2 * H * H, hh, 0);
      for (let b = 0; b < batch; b++) {
        const row = xRow[b]!;
        if (row < 0) continue;
        const xo = row * 3 * H, so = b * H;
        for (let j = 0; j < H; j++) {
          const ht = lbr ? hh[so + j]! : g(clip(xw[xo + 2 * H + j]! + hh[so + j]! + bias[bo + 2 * H + j]!));
          const zj = z[so + j]!;
          h[so + j] = (1 - zj) * ht + zj * h[so + j]!;
        }
      }
    },
  };
}

export const gruJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'GRU', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const core = makeRnnCore(planRnn(c, 'GRU', ['float32']), JS_MEMORY);
    return runRnn(core, gruCell(core));
  },
});
