// Reference Pad (opset 11+ inputs pads, constant_value, axes; opset 2 attributes pads/value):
// modes constant, reflect, edge (and wrap). Each output cell maps back to one input cell or
// the constant; negative pads crop. The form is read in common/pad-plan.ts (shared with js).

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { padPlan } from '../common/pad-plan.js';

export const padRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Pad', target: 'ref', dtypes: 'any',
  prepare(c) {
    const p = padPlan(c);
    const { x, y, rank, source } = p;
    const inStrides = rowMajorStrides(x.shape);
    const counter = new Int32Array(rank);
    const dims = Int32Array.from(y.shape);
    const n = y.shape.reduce((a, d) => a * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      p.refresh();
      const value = p.value();
      counter.fill(0);
      for (let k = 0; k < n; k++) {
        let src = 0;
        for (let d = 0; d < rank; d++) {
          const i = source(counter[d]!, d);
          if (i < 0) { src = -1; break; }
          src += i * inStrides[d]!;
        }
        yd[k] = src < 0 ? value : xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          if (++counter[d]! < dims[d]!) break;
          counter[d] = 0;
        }
      }
    };
  },
});
