// js RNN (float32): projections as GEMMs (rnn-core.ts), then Ht = f(clip(·)) per active entry
// (equations: ref/rnn.ts).

import { defineKernel } from '../common/define.js';
import { activationFn } from '../common/rnn.js';
import { planRnn } from '../common/rnn-plan.js';
import { makeRnnCore, runRnn } from './rnn-core.js';
import { sgemmDot } from './sgemm-core.js';

export const rnnJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'RNN', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const p = planRnn(c, 'RNN', ['float32']);
    const core = makeRnnCore(p);
    const { hidden: H, batch, attrs } = p;
    const { xw, h, rd, bias, clip } = core;
    const acts = attrs.activations.map((list) => activationFn(list[0]!));
    const hr = new Float32Array(batch * H);
    return runRnn(core, {
      step(d, xRow) {
        sgemmDot(batch, H, H, h, 0, H, 1, rd, d * H * H, hr, 0);
        const f = acts[d]!, bo = d * H;
        for (let b = 0; b < batch; b++) {
          const row = xRow[b]!;
          if (row < 0) continue;
          const xo = row * H, so = b * H;
          for (let j = 0; j < H; j++) h[so + j] = f(clip(xw[xo + j]! + hr[so + j]! + bias[bo + j]!));
        }
      },
    });
  },
});
