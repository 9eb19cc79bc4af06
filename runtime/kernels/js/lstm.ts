// js LSTM (float32): the input and recurrent projections as GEMMs (rnn-core.ts), then the gates
// per active batch entry, fused in one pass over the hidden units (equations: ref/lstm.ts). The
// cell is shared with the wasmsimd kernel (wasm/recurrent.ts), which runs the GEMMs in wasm.

import { defineKernel } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn } from '../common/rnn-plan.js';
import type { RnnCell, RnnCore } from './rnn-core.js';
import { JS_MEMORY, makeRnnCore, runRnn } from './rnn-core.js';

type Fn = (x: number) => number;

export function lstmCell(core: RnnCore): RnnCell {
  const { p, xw, h, c: cs, rd, bias, clip, mem } = core;
  const { hidden: H, batch, attrs } = p;
  const pd = p.p?.data as Float32Array | undefined;
  const acts = attrs.activations.map((list) => list.map(activationFn) as [Fn, Fn, Fn]);
  const hr = mem.alloc(batch * 4 * H);
  const coupled = attrs.inputForget;
  return {
    step(d, xRow) {
      mem.dot(batch, 4 * H, H, h, 0, rd, d * 4 * H * H, hr, 0);
      const [f, g, hAct] = acts[d]!;
      const bo = d * 4 * H, po = d * 3 * H;
      for (let b = 0; b < batch; b++) {
        const row = xRow[b]!;
        if (row < 0) continue;
        const xo = row * 4 * H, ro = b * 4 * H, so = b * H;
        for (let j = 0; j < H; j++) {
          const cPrev = cs[so + j]!;
          let vi = xw[xo + j]! + hr[ro + j]! + bias[bo + j]!;
          let vf = xw[xo + 2 * H + j]! + hr[ro + 2 * H + j]! + bias[bo + 2 * H + j]!;
          if (pd !== undefined) { vi += pd[po + j]! * cPrev; vf += pd[po + 2 * H + j]! * cPrev; }
          const i = f(clip(vi));
          const fg = coupled ? 1 - i : f(clip(vf));
          const cc = g(clip(xw[xo + 3 * H + j]! + hr[ro + 3 * H + j]! + bias[bo + 3 * H + j]!));
          const cNew = fg * cPrev + i * cc;
          let vo = xw[xo + H + j]! + hr[ro + H + j]! + bias[bo + H + j]!;
          if (pd !== undefined) vo += pd[po + H + j]! * cNew;
          cs[so + j] = cNew;
          h[so + j] = f(clip(vo)) * hAct(cNew);
        }
      }
    },
  };
}

export const lstmJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'LSTM', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const core = makeRnnCore(planRnn(c, 'LSTM', ['float32']), JS_MEMORY);
    return runRnn(core, lstmCell(core));
  },
});
