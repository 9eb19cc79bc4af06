// The window a Slice reads, shared by the ref and js kernels: starts/ends/axes/steps read from
// their tensors (opset 10+) or the starts/ends/axes attributes (opset 1–9), negative indices
// and steps, clamping as ONNX specifies, and the lengths checked against the static output shape.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import { INT_INDEX_TYPES, readInt } from './define.js';

export interface SliceInputs {
  readonly x: TensorView;
  readonly y: TensorView;
  readonly starts: TensorView;
  readonly ends: TensorView;
  readonly axes?: TensorView;
  readonly steps?: TensorView;
}

/** An attribute list as a tensor the window reads like an input (values past 2^53 are clamped by the window anyway). */
function attrView(c: Checker, name: string): TensorView | undefined {
  const v = c.ints(name);
  return v === undefined ? undefined : { dtype: 'float64', shape: [v.length], data: Float64Array.from(v) };
}

/** Binds a Slice node's inputs and output (output rank = input rank). */
export function sliceInputs(c: Checker): SliceInputs {
  const x = c.input(0);
  const y = c.output(0, [x.dtype]);
  if (y.shape.length !== x.shape.length) c.fail(`output rank ${y.shape.length} differs from input rank ${x.shape.length}`);
  // Opset 1–9: one input, the window in attributes (a node has one form or the other, never both).
  if (c.ctx.inputs.length <= 1 || c.ctx.inputs[1] === undefined) {
    const starts = attrView(c, 'starts'), ends = attrView(c, 'ends'), axes = attrView(c, 'axes');
    if (!starts || !ends) c.fail('starts and ends are neither inputs nor attributes');
    return { x, y, starts, ends, ...(axes ? { axes } : {}) };
  }
  const starts = c.input(1, INT_INDEX_TYPES), ends = c.input(2, INT_INDEX_TYPES);
  const axes = c.optionalInput(3, INT_INDEX_TYPES), steps = c.optionalInput(4, INT_INDEX_TYPES);
  return { x, y, starts, ends, ...(axes ? { axes } : {}), ...(steps ? { steps } : {}) };
}

const count = (v: TensorView): number => v.shape.reduce((p, d) => p * d, 1);

/** Fills `first` (first index read per axis) and `step` (per axis) for the current inputs; allocates nothing. */
export function sliceWindow(c: Checker, s: SliceInputs, first: Float64Array, step: Float64Array): void {
  const { x, y, starts, ends, axes, steps } = s;
  const rank = x.shape.length;
  first.fill(0);
  step.fill(1);
  for (let d = 0; d < rank; d++) if (y.shape[d] !== x.shape[d]) step[d] = NaN; // must be sliced
  const k = count(starts);
  if (count(ends) !== k || (axes && count(axes) !== k) || (steps && count(steps) !== k)) c.fail('starts, ends, axes and steps differ in length');
  for (let i = 0; i < k; i++) {
    const axis = c.axis(axes ? readInt(axes, i) : i, rank, 'axes entry');
    const dim = x.shape[axis]!;
    const st = steps ? readInt(steps, i) : 1;
    if (st === 0) c.fail('slice step 0');
    let b = readInt(starts, i), e = readInt(ends, i);
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (st > 0) { b = Math.min(Math.max(b, 0), dim); e = Math.min(Math.max(e, 0), dim); }
    else { b = Math.min(Math.max(b, 0), dim - 1); e = Math.min(Math.max(e, -1), dim - 1); }
    const len = st > 0 ? Math.max(0, Math.ceil((e - b) / st)) : Math.max(0, Math.ceil((b - e) / -st));
    if (len !== y.shape[axis]) c.fail(`axis ${axis} slices to ${len} elements, output has ${y.shape[axis]}`);
    first[axis] = b;
    step[axis] = st;
  }
  for (let d = 0; d < rank; d++) if (Number.isNaN(step[d]!)) c.fail(`axis ${d} differs between input and output but is not sliced`);
}
