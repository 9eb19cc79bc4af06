// Reference Pad (opset 11+ inputs pads, constant_value, axes; opset 2 attributes pads/value):
// modes constant, reflect, edge (and wrap). Each output cell maps back to one input cell or
// the constant; negative pads crop.

import type { TensorView } from '../../tensor.js';
import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { storedScalar } from '../common/numeric-cells.js';

export const padRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Pad', target: 'ref', dtypes: 'any',
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
    const before = new Int32Array(rank);
    const inStrides = rowMajorStrides(x.shape);
    const counter = new Int32Array(rank);
    const dims = Int32Array.from(y.shape);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    const count = (v: TensorView): number => v.shape.reduce((p, d) => p * d, 1);

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
    };
    plan();
    const attrValue = storedScalar(x.dtype, c.float('value', 0));
    // Maps output coordinate o on an axis to an input coordinate, or -1 for the constant.
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
    return () => {
      plan();
      const value = valueIn ? (valueIn.data as Cells)[0] : attrValue;
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
