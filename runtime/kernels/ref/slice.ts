// Reference Slice (opset 10+): starts/ends/axes/steps inputs read on every run, negative
// steps, clamping as ONNX specifies; the result must match the static output shape.

import type { TensorView } from '../../tensor.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { rowMajorStrides } from '../common/broadcast.js';

export const sliceRef = defineKernel({
  id: 'any-slice-1x1-ref', op: 'Slice', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const starts = c.input(1, INT_INDEX_TYPES);
    const ends = c.input(2, INT_INDEX_TYPES);
    const axesIn = c.optionalInput(3, INT_INDEX_TYPES);
    const stepsIn = c.optionalInput(4, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    if (y.shape.length !== rank) c.fail(`output rank ${y.shape.length} differs from input rank ${rank}`);
    const inStrides = rowMajorStrides(x.shape);
    const first = new Float64Array(rank); // per axis: first index read
    const step = new Float64Array(rank);
    const dims = Int32Array.from(y.shape);
    const counter = new Int32Array(rank);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    const count = (v: TensorView): number => v.shape.reduce((p, d) => p * d, 1);

    const plan = (): void => {
      first.fill(0);
      step.fill(1);
      for (let d = 0; d < rank; d++) if (y.shape[d] !== x.shape[d]) step[d] = NaN; // must be sliced
      const k = count(starts);
      if (count(ends) !== k || (axesIn && count(axesIn) !== k) || (stepsIn && count(stepsIn) !== k)) c.fail('starts, ends, axes and steps differ in length');
      for (let i = 0; i < k; i++) {
        const axis = c.axis(axesIn ? readInt(axesIn, i) : i, rank, 'axes entry');
        const dim = x.shape[axis]!;
        const s = stepsIn ? readInt(stepsIn, i) : 1;
        if (s === 0) c.fail('slice step 0');
        let b = readInt(starts, i), e = readInt(ends, i);
        if (b < 0) b += dim;
        if (e < 0) e += dim;
        if (s > 0) { b = Math.min(Math.max(b, 0), dim); e = Math.min(Math.max(e, 0), dim); }
        else { b = Math.min(Math.max(b, 0), dim - 1); e = Math.min(Math.max(e, -1), dim - 1); }
        const len = s > 0 ? Math.max(0, Math.ceil((e - b) / s)) : Math.max(0, Math.ceil((b - e) / -s));
        if (len !== y.shape[axis]) c.fail(`axis ${axis} slices to ${len} elements, output has ${y.shape[axis]}`);
        first[axis] = b;
        step[axis] = s;
      }
      for (let d = 0; d < rank; d++) if (Number.isNaN(step[d]!)) c.fail(`axis ${d} differs between input and output but is not sliced`);
    };
    plan();
    return () => {
      plan();
      let src = 0;
      for (let d = 0; d < rank; d++) src += first[d]! * inStrides[d]!;
      counter.fill(0);
      for (let i = 0; i < n; i++) {
        yd[i] = xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          const jump = step[d]! * inStrides[d]!;
          src += jump;
          if (++counter[d]! < dims[d]!) break;
          src -= jump * dims[d]!;
          counter[d] = 0;
        }
      }
    };
  },
});
