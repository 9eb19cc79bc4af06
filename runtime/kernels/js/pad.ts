// js Pad, any dtype, every mode (constant, reflect, edge, wrap): per output row (all axes but
// the last), the source row from per-axis index maps (−1: the constant), then the row as a
// block copy of its interior plus the mapped border cells. The pads are read on every run, as
// the ref kernel does (they may be computed); the maps are rebuilt only when they change.
//
//   y row:  [ before: map ][ interior: x row copied (TypedArray.set) ][ after: map ]

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { padPlan } from '../common/pad-plan.js';

type Typed = Float32Array & { set(a: ArrayLike<unknown>, offset?: number): void; subarray(b: number, e: number): Typed };

export const padJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Pad', target: 'js', dtypes: 'any',
  prepare(c) {
    const p = padPlan(c);
    const { x, y, rank, before } = p;
    const seen = new Float64Array(rank).fill(Number.NaN);
    const inStrides = rowMajorStrides(x.shape);
    const maps = y.shape.map((d) => new Int32Array(d));
    // The pads re-read, and each axis's map rebuilt only when its padding changed.
    const plan = (): void => {
      p.refresh();
      for (let d = 0; d < rank; d++) {
        if (seen[d] === before[d]) continue;
        const m = maps[d]!;
        for (let o = 0; o < m.length; o++) m[o] = p.source(o, d);
        seen[d] = before[d]!;
      }
    };
    plan();
    const xd = x.data as unknown as Typed, yd = y.data as unknown as Typed, yc = y.data as Cells, xc = x.data as Cells;
    const last = rank - 1;
    const OW = rank === 0 ? 1 : y.shape[last]!, W = rank === 0 ? 1 : x.shape[last]!;
    const rows = OW === 0 ? 0 : y.shape.reduce((a, d) => a * d, 1) / OW;
    const counter = new Int32Array(Math.max(rank - 1, 0));
    return () => {
      plan();
      const value = p.value();
      if (rank === 0) { yc[0] = xc[0]; return; }
      const mw = maps[last]!;
      // The interior of the last axis: output [lo, hi) reads x [lo − before, hi − before).
      const lo = Math.max(0, before[last]!), hi = Math.min(OW, before[last]! + W);
      counter.fill(0);
      for (let r = 0, o = 0; r < rows; r++, o += OW) {
        let src = 0;
        for (let d = 0; d < last; d++) {
          const i = maps[d]![counter[d]!]!;
          if (i < 0) { src = -1; break; }
          src += i * inStrides[d]!;
        }
        if (src < 0) {
          for (let j = 0; j < OW; j++) yc[o + j] = value;
        } else {
          for (let j = 0; j < lo; j++) { const i = mw[j]!; yc[o + j] = i < 0 ? value : xc[src + i]; }
          if (hi > lo) yd.set(xd.subarray(src + lo - before[last]!, src + hi - before[last]!), o + lo);
          for (let j = Math.max(hi, lo); j < OW; j++) { const i = mw[j]!; yc[o + j] = i < 0 ? value : xc[src + i]; }
        }
        for (let d = last - 1; d >= 0; d--) {
          if (++counter[d]! < y.shape[d]!) break;
          counter[d] = 0;
        }
      }
    };
  },
});
