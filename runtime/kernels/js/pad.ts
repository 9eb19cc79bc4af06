// js Pad, any dtype, every mode (constant, reflect, edge, wrap): per output row (all axes but
// the last), the source row from per-axis index maps (−1: the constant), then the row as a
// block copy of its interior plus the mapped border cells. The pads are read on every run, as
// the ref kernel does (they may be computed); the maps are rebuilt only when they change.
//
//   y row:  [ before: map ][ interior: x row copied (TypedArray.set) ][ after: map ]

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';
import type { TensorView } from '../../tensor.js';

type Typed = Float32Array & { set(a: ArrayLike<unknown>, offset?: number): void; subarray(b: number, e: number): Typed };

export const padJs = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Pad', target: 'js', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const padsIn = c.optionalInput(1, INT_INDEX_TYPES);
    const valueIn = c.optionalInput(2);
    const axesIn = c.optionalInput(3, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    if (y.shape.length !== rank) c.fail('output rank differs from input rank');
    const mode = c.string('mode', 'constant');
    if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) c.fail(`unknown mode '${mode}'`);
    const attrPads = c.ints('pads');
    const count = (v: TensorView): number => v.shape.reduce((p, d) => p * d, 1);
    const before = new Int32Array(rank), seen = new Float64Array(rank).fill(Number.NaN);
    const inStrides = rowMajorStrides(x.shape);
    const maps = y.shape.map((d) => new Int32Array(d));
    // Maps output coordinate o on an axis to an input coordinate, or -1 for the constant (ref/pad.ts).
    const source = (o: number, axis: number): number => {
      const size = x.shape[axis]!;
      let i = o - before[axis]!;
      if (i >= 0 && i < size) return i;
      if (mode === 'constant' || size === 0) return -1;
      if (mode === 'edge') return i < 0 ? 0 : size - 1;
      if (mode === 'wrap') return ((i % size) + size) % size;
      if (size === 1) return 0;
      const period = 2 * (size - 1);
      i = ((i % period) + period) % period;
      return i < size ? i : period - i;
    };
    const plan = (): void => {
      before.fill(0);
      const axes = axesIn ? count(axesIn) : rank;
      const padCount = padsIn ? count(padsIn) : attrPads?.length ?? 0;
      if (padCount !== 2 * axes) c.fail(`pads has ${padCount} entries, expected ${2 * axes}`);
      for (let i = 0; i < axes; i++) {
        const axis = axesIn ? c.axis(readInt(axesIn, i), rank, 'axes entry') : i;
        const b = padsIn ? readInt(padsIn, i) : attrPads![i]!;
        const e = padsIn ? readInt(padsIn, i + axes) : attrPads![i + axes]!;
        if (x.shape[axis]! + b + e !== y.shape[axis]) c.fail(`axis ${axis}: ${x.shape[axis]} + ${b} + ${e} != output ${y.shape[axis]}`);
        before[axis] = b;
      }
      for (let d = 0; d < rank; d++) {
        if (seen[d] === before[d]) continue;
        const m = maps[d]!;
        for (let o = 0; o < m.length; o++) m[o] = source(o, d);
        seen[d] = before[d]!;
      }
    };
    plan();
    const attrValue = x.dtype === 'int64' ? 0n : c.float('value', 0);
    const xd = x.data as unknown as Typed, yd = y.data as unknown as Typed, yc = y.data as Cells, xc = x.data as Cells;
    const last = rank - 1;
    const OW = rank === 0 ? 1 : y.shape[last]!, W = rank === 0 ? 1 : x.shape[last]!;
    const rows = OW === 0 ? 0 : y.shape.reduce((p, d) => p * d, 1) / OW;
    const counter = new Int32Array(Math.max(rank - 1, 0));
    return () => {
      plan();
      const value = valueIn ? (valueIn.data as Cells)[0] : attrValue;
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
