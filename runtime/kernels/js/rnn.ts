// js RNN (float32): projections as GEMMs (rnn-core.ts), then Ht = f(clip(·)) per active entry
// (equations: ref/rnn.ts). The cell is shared with the wasmsimd kernel (wasm/recurrent.ts).

import { defineKernel } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn } from '../common/rnn-plan.js';
import type { RnnCell, RnnCore } from './rnn-core.js';
import { JS_MEMORY, makeRnnCore, runRnn } from './rnn-core.js';

export function rnnCell(core: RnnCore): RnnCell {
  const { p, xw, h, rd, bias, clip, mem } = core;
  const { hidden: H, batch, attrs } = p;
  const acts = attrs.activations.map((list) => activationFn(list[0]!));
  const hr = mem.alloc(batch * H);
  return {
    step(d, xRow) {
      mem.dot(batch, H, H, h, 0, rd, d * H * H, hr, 0);
      const f = acts[d]!, bo = d * H;
      for (let b = 0; b < batch; b++) {
        const row = xRow[b]!;
        if (row < 0) continue;
        const xo = row * H, so = b * H;
        for (let j = 0; j < H; j++) h[so + j] = f(clip(xw[xo + j]! + hr[so + j]! + bias[bo + j]!));
      }
    },
  };
}

export const rnnJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'RNN', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const core = makeRnnCore(planRnn(c, 'RNN', ['float32']), JS_MEMORY);
    return runRnn(core, rnnCell(core));
  },
});
