// js Resize (float32) for the common form: every axis but the last two kept (N, C), the last
// two resized nearest or linear. Separable: each output row blends at most two source rows,
// each source row is first resized along W into a float64 row (cached: an upsampled row is read
// by several output rows), then y = 0 + wh0·row0 + wh1·row1 — the ref kernel's arithmetic in
// its order, so the result is the ref's bit for bit. Other forms run the ref kernel.
//
//   x plane [H][W] ──(per source row, W taps)──▶ rows[H'][OW] (f64, 2 cached) ──(H taps)──▶ y plane [OH][OW]

import { defineKernel } from '../common/define.js';
import { resizeTaps } from '../common/resize-plan.js';
import type { AxisTaps } from '../common/resize-plan.js';
import { resizeRef } from '../ref/resize.js';

const keeps = (t: AxisTaps): boolean => t.idx.every((ii, o) => ii.length === 1 && ii[0] === o && t.wts[o]![0] === 1);

export const resizeJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Resize', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    const rank = x.shape.length;
    const taps = resizeTaps(c, x, y);
    if (rank < 2 || !taps.slice(0, rank - 2).every(keeps)) return resizeRef.prepare(c.ctx);
    const H = x.shape[rank - 2]!, W = x.shape[rank - 1]!, OH = y.shape[rank - 2]!, OW = y.shape[rank - 1]!;
    const planes = x.shape.slice(0, rank - 2).reduce((p, d) => p * d, 1);
    const th = taps[rank - 2]!, tw = taps[rank - 1]!;
    // W taps as flat arrays: second index = first and weight 0 where there is one tap.
    const w0 = Int32Array.from(tw.idx, (ii) => ii[0]!), w1 = Int32Array.from(tw.idx, (ii) => ii[1] ?? ii[0]!);
    const f0 = Float64Array.from(tw.wts, (ww) => ww[0]!), f1 = Float64Array.from(tw.wts, (ww) => ww[1] ?? 0);
    const two = Uint8Array.from(tw.idx, (ii) => (ii.length === 2 ? 1 : 0));
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const rowA = new Float64Array(OW), rowB = new Float64Array(OW);
    let keyA = -1, keyB = -1;
    const fill = (row: Float64Array, base: number): void => {
      for (let o = 0; o < OW; o++) {
        let acc = 0;
        acc += f0[o]! * xd[base + w0[o]!]!;
        if (two[o] === 1) acc += f1[o]! * xd[base + w1[o]!]!;
        row[o] = acc;
      }
    };
    // The cached row holding source row `r` of the plane at `xb` (keys are absolute offsets).
    const source = (xb: number, r: number, avoid: Float64Array | undefined): Float64Array => {
      const key = xb + r * W;
      if (keyA === key) return rowA;
      if (keyB === key) return rowB;
      if (avoid !== rowA) { fill(rowA, key); keyA = key; return rowA; }
      fill(rowB, key); keyB = key; return rowB;
    };
    return () => {
      keyA = -1; keyB = -1;
      for (let p = 0; p < planes; p++) {
        const xb = p * H * W;
        let o = p * OH * OW;
        for (let oh = 0; oh < OH; oh++) {
          const ii = th.idx[oh]!, ww = th.wts[oh]!;
          const a = source(xb, ii[0]!, undefined), wa = ww[0]!;
          if (ii.length === 1) {
            for (let j = 0; j < OW; j++) { let acc = 0; acc += wa * a[j]!; yd[o++] = acc; }
          } else {
            const b = source(xb, ii[1]!, a), wb = ww[1]!;
            for (let j = 0; j < OW; j++) { let acc = 0; acc += wa * a[j]!; acc += wb * b[j]!; yd[o++] = acc; }
          }
        }
      }
    };
  },
});
