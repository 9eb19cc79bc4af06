// Reference ScatterElements (opset 11; reductions add/mul 16+, max/min 18+; any dtype) and Scatter
// (its opset 9–10 name): each update lands where its index replaces the `axis` coordinate;
// negative indices wrap, read and bounds-checked on every run.

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells, Checker } from '../common/define.js';
import type { RunFn } from '../kernel.js';
import { scatterCombine } from '../common/scatter.js';

function prepareScatterElements(c: Checker): RunFn {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const u = c.input(2, [x.dtype]);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    const rank = x.shape.length;
    if (idx.shape.length !== rank || rank === 0) c.fail(`data [${x.shape.join(',')}] and indices [${idx.shape.join(',')}] must have one rank >= 1`);
    c.shapeIs(u, idx.shape, 'updates');
    idx.shape.forEach((d, i) => { if (d > x.shape[i]!) c.fail(`indices dim ${i} (${d}) exceeds data dim ${x.shape[i]}`); });
    const axis = c.axis(c.int('axis', 0), rank);
    const combine = scatterCombine(c, x);
    const xs = rowMajorStrides(x.shape);
    const len = x.shape[axis]!;
    const n = x.shape.reduce((p, d) => p * d, 1);
    const m = idx.shape.reduce((p, d) => p * d, 1);
    const counter = new Int32Array(rank);
    const xd = x.data as Cells, ud = u.data as Cells, yd = y.data as Cells;
    return () => {
      for (let i = 0; i < n; i++) yd[i] = xd[i];
      counter.fill(0);
      for (let i = 0; i < m; i++) {
        let k = readInt(idx, i);
        if (k < 0) k += len;
        if (k < 0 || k >= len) c.fail(`index ${readInt(idx, i)} at position ${i} out of range [${-len}, ${len})`);
        let dst = 0;
        for (let d = 0; d < rank; d++) dst += (d === axis ? k : counter[d]!) * xs[d]!;
        yd[dst] = combine(yd[dst], ud[i]);
        for (let d = rank - 1; d >= 0; d--) {
          if (++counter[d]! < idx.shape[d]!) break;
          counter[d] = 0;
        }
      }
    };
}

export const scatterElementsRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'ScatterElements', target: 'ref', dtypes: 'any', prepare: prepareScatterElements,
});

/** Scatter (opset 9–10): ScatterElements under its old name, without reduction. */
export const scatterRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Scatter', target: 'ref', dtypes: 'any', prepare: prepareScatterElements,
});
