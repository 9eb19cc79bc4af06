// Binds an LSTM/GRU/RNN node's views for the ref and js kernels: every input and output checked
// against the shapes rnnShapes derives from X and R, plus the index arithmetic of both layouts.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import { INT_INDEX_TYPES, readInt } from './define.js';
import type { RnnAttrs, RnnDims, RnnOp } from './rnn.js';
import { RNN_INPUT, rnnArity, rnnAttrs, rnnShapes } from './rnn.js';

export interface RnnPlan extends RnnDims {
  readonly attrs: RnnAttrs;
  readonly x: TensorView; readonly w: TensorView; readonly r: TensorView;
  readonly b?: TensorView; readonly seqLens?: TensorView; readonly h0?: TensorView; readonly c0?: TensorView; readonly p?: TensorView;
  readonly y?: TensorView; readonly yh?: TensorView; readonly yc?: TensorView;
  /** Row index of X[t, b, :] among X's seq·batch rows (layout 0: t·batch + b, layout 1: b·seq + t). */
  rowAt(t: number, b: number): number;
  /** Offset of X[t, b, 0] (row of `input` elements). */
  xAt(t: number, b: number): number;
  /** Offset of Y[t, d, b, 0] (row of `hidden` elements). */
  yAt(t: number, d: number, b: number): number;
  /** Offset of a state tensor's (initial_h/c, Y_h/c) row [d, b, 0]. */
  stateAt(d: number, b: number): number;
  /** The sequence length of batch entry `b` (sequence_lens, checked to lie in [0, seq] on every run), or seq. */
  lengthOf(b: number): number;
}

export function planRnn(c: Checker, op: RnnOp, dtypes: readonly ('float32' | 'float64')[]): RnnPlan {
  const attrs = rnnAttrs(op, c.attrs, (m) => c.fail(m));
  const arity = rnnArity(op);
  if (c.ctx.inputs.length > arity.inputs) c.fail(`${op} takes at most ${arity.inputs} inputs, the node has ${c.ctx.inputs.length}`);
  if (c.ctx.outputs.length > arity.outputs) c.fail(`${op} has at most ${arity.outputs} outputs, the node has ${c.ctx.outputs.length}`);
  const x = c.input(RNN_INPUT.X, dtypes);
  const w = c.input(RNN_INPUT.W, [x.dtype]);
  const r = c.input(RNN_INPUT.R, [x.dtype]);
  if (x.shape.length !== 3) c.fail(`X has shape [${x.shape.join(',')}], expected rank 3`);
  if (r.shape.length !== 3) c.fail(`R has shape [${r.shape.join(',')}], expected rank 3`);
  const [seq, batch] = attrs.layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  const hidden = r.shape[2]!;
  if (hidden < 1) c.fail(`R has shape [${r.shape.join(',')}]: hidden size must be at least 1`);
  if (attrs.hiddenSize !== undefined && attrs.hiddenSize !== hidden) c.fail(`hidden_size ${attrs.hiddenSize} differs from R's last dimension ${hidden}`);
  const dims: RnnDims = { seq, batch, input: x.shape[2]!, hidden };
  const shapes = rnnShapes(attrs, dims);
  const names = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];
  const opt = (i: number): TensorView | undefined => {
    const v = c.optionalInput(i, i === RNN_INPUT.sequenceLens ? INT_INDEX_TYPES : [x.dtype]);
    if (v !== undefined) c.shapeIs(v, shapes.inputs[i]!, names[i]!);
    return v;
  };
  c.shapeIs(w, shapes.inputs[RNN_INPUT.W]!, 'W');
  c.shapeIs(r, shapes.inputs[RNN_INPUT.R]!, 'R');
  const out = (i: number): TensorView | undefined => {
    const v = c.optionalOutput(i, [x.dtype]);
    if (v !== undefined) c.shapeIs(v, shapes.outputs[i]!, ['Y', 'Y_h', 'Y_c'][i]!);
    return v;
  };
  const b = opt(RNN_INPUT.B), seqLens = opt(RNN_INPUT.sequenceLens), h0 = opt(RNN_INPUT.initialH);
  const c0 = op === 'LSTM' ? opt(RNN_INPUT.initialC) : undefined;
  const p = op === 'LSTM' ? opt(RNN_INPUT.P) : undefined;
  const D = attrs.dirs;
  const inputSize = dims.input;
  const rowAt = attrs.layout === 0 ? (t: number, bi: number): number => t * batch + bi : (t: number, bi: number): number => bi * seq + t;
  return {
    ...dims, attrs, x, w, r, b, seqLens, h0, c0, p, y: out(0), yh: out(1), yc: op === 'LSTM' ? out(2) : undefined,
    rowAt,
    xAt: (t, bi) => rowAt(t, bi) * inputSize,
    yAt: attrs.layout === 0 ? (t, d, bi) => ((t * D + d) * batch + bi) * hidden : (t, d, bi) => ((bi * seq + t) * D + d) * hidden,
    stateAt: attrs.layout === 0 ? (d, bi) => (d * batch + bi) * hidden : (d, bi) => (bi * D + d) * hidden,
    lengthOf: seqLens === undefined ? () => seq : (bi) => {
      const n = readInt(seqLens, bi);
      if (!(n >= 0 && n <= seq)) c.fail(`sequence_lens[${bi}] = ${n} is outside [0, ${seq}]`);
      return n;
    },
  };
}

/** Whether direction `d` runs from the last step to the first. */
export function isReverse(a: RnnAttrs, d: number): boolean {
  return a.direction === 'reverse' || (a.direction === 'bidirectional' && d === 1);
}

/** Y[t, d, b, :] for t ≥ the entry's length are zeros (both layouts); called once per run before the steps. */
export function zeroPadding(p: RnnPlan, d: number, b: number, len: number): void {
  const y = p.y;
  if (y === undefined) return;
  for (let t = len; t < p.seq; t++) (y.data as Float32Array).fill(0, p.yAt(t, d, b), p.yAt(t, d, b) + p.hidden);
}

/**
 * One time step of one batch entry in one direction, in double precision: reads X's row at
 * `xOff` and the state (h, and c for LSTM), and overwrites the state with the next one.
 */
export type RefStep = (d: number, x: ArrayLike<number>, xOff: number, h: Float64Array, c: Float64Array) => void;

/**
 * The reference recurrence: every direction and batch entry on its own, steps in time order
 * (reversed for the backward direction), Y written at each step, Y_h / Y_c after the last
 * step of the entry's sequence length.
 */
export function refRecurrence(p: RnnPlan, step: RefStep): () => void {
  const { hidden: H, batch, attrs } = p;
  const h = new Float64Array(H), cs = new Float64Array(H);
  const xd = p.x.data as ArrayLike<number>;
  const load = (v: TensorView | undefined, into: Float64Array, off: number): void => {
    if (v === undefined) into.fill(0);
    else for (let j = 0; j < H; j++) into[j] = (v.data as ArrayLike<number>)[off + j]!;
  };
  const store = (v: TensorView | undefined, from: Float64Array, off: number): void => {
    if (v !== undefined) for (let j = 0; j < H; j++) (v.data as Float32Array)[off + j] = from[j]!;
  };
  return () => {
    for (let d = 0; d < attrs.dirs; d++) {
      const reverse = isReverse(attrs, d);
      for (let b = 0; b < batch; b++) {
        const len = p.lengthOf(b), at = p.stateAt(d, b);
        load(p.h0, h, at);
        load(p.c0, cs, at);
        for (let s = 0; s < len; s++) {
          const t = reverse ? len - 1 - s : s;
          step(d, xd, p.xAt(t, b), h, cs);
          if (p.y !== undefined) store(p.y, h, p.yAt(t, d, b));
        }
        zeroPadding(p, d, b, len);
        store(p.yh, h, at);
        store(p.yc, cs, at);
      }
    }
  };
}

/** Σ_k src[srcOff + k] · M[row, k] for a row-major weight with `cols` columns. */
export function rowDot(m: ArrayLike<number>, row: number, cols: number, src: ArrayLike<number>, srcOff: number): number {
  let acc = 0;
  const base = row * cols;
  for (let k = 0; k < cols; k++) acc += src[srcOff + k]! * m[base + k]!;
  return acc;
}
