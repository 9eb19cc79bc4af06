// Pad's form read once for the ref kernel (the readable spec, cell by cell) and the js kernel
// (rows as block copies): the inputs (opset 11+: pads, constant_value, axes; opset 2: the pads /
// value attributes), the mode, the per-axis padding before each axis (re-read on every run: pads
// may be computed), the map from an output coordinate to its input coordinate, and the fill value
// as the output's storage holds it.

import type { TensorView } from '../../tensor.js';
import type { Cells, Checker } from './define.js';
import { INT_INDEX_TYPES, readInt } from './define.js';
import { storedScalar } from './numeric-cells.js';

export interface PadPlan {
  readonly x: TensorView;
  readonly y: TensorView;
  readonly rank: number;
  /** Padding before each axis (negative: cropped), as the last refresh() read it. */
  readonly before: Int32Array;
  /** Re-reads the pads (and axes) and checks them against the shapes. */
  refresh(): void;
  /** The input coordinate output coordinate `o` on `axis` reads, or -1 for the fill value. */
  source(o: number, axis: number): number;
  /** The fill value in the output's storage form (an input read at run time, or the attribute). */
  value(): number | bigint;
}

const MODES = ['constant', 'reflect', 'edge', 'wrap'];

export function padPlan(c: Checker): PadPlan {
  const x = c.input(0);
  const padsIn = c.optionalInput(1, INT_INDEX_TYPES);
  const valueIn = c.optionalInput(2);
  const axesIn = c.optionalInput(3, INT_INDEX_TYPES);
  const y = c.output(0, [x.dtype]);
  const rank = x.shape.length;
  if (y.shape.length !== rank) c.fail('output rank differs from input rank');
  const mode = c.string('mode', 'constant');
  if (!MODES.includes(mode)) c.fail(`unknown mode '${mode}'`);
  const attrPads = c.ints('pads');
  const attrValue = storedScalar(x.dtype, c.float('value', 0));
  const count = (v: TensorView): number => v.shape.reduce((p, d) => p * d, 1);
  const before = new Int32Array(rank);
  const refresh = (): void => {
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
  refresh();
  const source = (o: number, axis: number): number => {
    const size = x.shape[axis]!;
    let i = o - before[axis]!;
    if (i >= 0 && i < size) return i;
    if (mode === 'constant' || size === 0) return -1;
    if (mode === 'edge') return i < 0 ? 0 : size - 1;
    if (mode === 'wrap') return ((i % size) + size) % size;
    if (size === 1) return 0;
    // reflect: the border mirrors without repeating the edge cell.
    const period = 2 * (size - 1);
    i = ((i % period) + period) % period;
    return i < size ? i : period - i;
  };
  return { x, y, rank, before, refresh, source, value: () => (valueIn ? (valueIn.data as Cells)[0] as number | bigint : attrValue) };
}
