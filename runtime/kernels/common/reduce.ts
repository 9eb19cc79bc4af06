// The geometry every Reduce* kernel shares: which axes a node folds (its axes input, or the
// `axes` attribute of the opsets before it became one; keepdims; noop_with_empty_axes), and the
// two walks over them: per output element, the offset of its first input element plus the
// offsets of the elements it folds (ref), or [outer, reduced, inner] when the folded axes are
// one contiguous block (js); and ArgMax / ArgMin's axis and blocks (argPlan).

import type { TensorView } from '../../tensor.js';
import type { Attrs } from '../kernel.js';
import type { Checker } from './define.js';
import { INT_INDEX_TYPES, readInt } from './define.js';

/** The reduction of one node; `refresh` re-reads an axes input on every run and re-plans only when it changed. */
export class ReducePlan {
  /** Per output element (row-major), the offset of its first input element. */
  readonly bases: Int32Array;
  /** Offsets, relative to a base, of the input elements one output element folds. */
  offsets: Int32Array;
  /** False when the node is a no-op (empty axes with noop_with_empty_axes): the output is the input. */
  reduces = true;
  private readonly reduced: Uint8Array;
  private readonly axesIn: TensorView | undefined;
  private readonly attrAxes: readonly number[] | undefined;
  private readonly keepdims: boolean;
  private readonly noopEmpty: boolean;
  /** The axes input's values the plan was made for. */
  private planned: number[] = [];

  constructor(private readonly c: Checker, private readonly x: TensorView, private readonly y: TensorView) {
    this.axesIn = c.optionalInput(1, INT_INDEX_TYPES);
    this.attrAxes = c.ints('axes');
    this.keepdims = c.int('keepdims', 1) !== 0;
    this.noopEmpty = c.int('noop_with_empty_axes', 0) !== 0;
    if (this.axesIn !== undefined && this.axesIn.shape.length !== 1) c.fail(`axes input has shape [${this.axesIn.shape.join(',')}], expected 1-D`);
    this.reduced = new Uint8Array(x.shape.length);
    this.bases = new Int32Array(y.shape.reduce((p, d) => p * d, 1));
    this.offsets = new Int32Array(0);
    this.plan();
  }

  /** Re-plans when the axes input holds other values than at the last plan (no allocation otherwise). */
  refresh(): void {
    const a = this.axesIn;
    if (a === undefined) return;
    const k = a.shape[0]!;
    let same = k === this.planned.length;
    for (let i = 0; same && i < k; i++) same = readInt(a, i) === this.planned[i];
    if (!same) this.plan();
  }

  /** Reads the axes and fills bases and offsets; fails when they disagree with the output shape. */
  private plan(): void {
    const { c, x, y, reduced } = this;
    const rank = x.shape.length;
    const k = this.axesIn !== undefined ? this.axesIn.shape[0]! : this.attrAxes?.length ?? 0;
    if (this.axesIn !== undefined) this.planned = Array.from({ length: k }, (_, i) => readInt(this.axesIn!, i));
    reduced.fill(k === 0 ? 1 : 0);
    this.reduces = !(k === 0 && this.noopEmpty);
    if (!this.reduces) {
      c.shapeIs(y, x.shape, 'output of a no-op reduction');
      return;
    }
    for (let i = 0; i < k; i++) {
      const a = this.axesIn !== undefined ? readInt(this.axesIn, i) : this.attrAxes![i]!;
      reduced[c.axis(a, rank, 'axes entry')] = 1;
    }
    const want: number[] = [];
    x.shape.forEach((d, i) => { if (!reduced[i]) want.push(d); else if (this.keepdims) want.push(1); });
    c.shapeIs(y, want, 'output');
    // Kept axes walk the output in row-major order; folded axes walk one output's elements.
    let stride = 1, count = 1;
    const keptStrides: [number, number][] = [], foldStrides: [number, number][] = [];
    for (let d = rank - 1; d >= 0; d--) {
      (reduced[d] ? foldStrides : keptStrides).unshift([x.shape[d]!, stride]);
      if (reduced[d]) count *= x.shape[d]!;
      stride *= x.shape[d]!;
    }
    if (this.offsets.length !== count) this.offsets = new Int32Array(count);
    fillOffsets(this.bases, keptStrides);
    fillOffsets(this.offsets, foldStrides);
  }
}

/** Writes every combination Σ index·stride over `dims` ([size, stride] pairs) in row-major order. */
function fillOffsets(out: Int32Array, dims: readonly (readonly [number, number])[]): void {
  const n = out.length;
  const counter = new Int32Array(dims.length);
  let o = 0;
  for (let i = 0; i < n; i++) {
    out[i] = o;
    for (let d = dims.length - 1; d >= 0; d--) {
      const [size, stride] = dims[d]!;
      o += stride;
      if (++counter[d]! < size) break;
      o -= stride * size;
      counter[d] = 0;
    }
  }
}

/** [outer, reduced, inner] when the attribute axes (size-1 axes aside) are one contiguous block of `shape`, else undefined. */
export function reduceBlock(shape: readonly number[], axes: readonly number[] | undefined): { outer: number; red: number; inner: number } | undefined {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(axes === undefined || axes.length === 0);
  for (const a of axes ?? []) {
    const d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank) return undefined;
    reduced[d] = true;
  }
  const live = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  const firstR = live.findIndex((i) => reduced[i]);
  let lastR = -1;
  live.forEach((i, k) => { if (reduced[i]) lastR = k; });
  if (firstR >= 0 && live.slice(firstR, lastR + 1).some((i) => !reduced[i])) return undefined;
  const prod = (ix: readonly number[]): number => ix.reduce((p, i) => p * shape[i]!, 1);
  if (firstR < 0) return { outer: prod(live), red: 1, inner: 1 };
  return { outer: prod(live.slice(0, firstR)), red: prod(live.slice(firstR, lastR + 1)), inner: prod(live.slice(lastR + 1)) };
}

/** The `axes` attribute when it is a list of numbers. */
export function attrAxes(attrs: Attrs): readonly number[] | undefined {
  const a = attrs['axes'];
  return Array.isArray(a) && a.every((v) => typeof v === 'number') ? (a as readonly number[]) : undefined;
}

/** ArgMax / ArgMin's attributes read and checked once for the ref and js kernels: the axis, the tie rule and the [outer, len, inner] blocks. */
export interface ArgPlan { readonly axis: number; readonly last: boolean; readonly outer: number; readonly len: number; readonly inner: number }

export function argPlan(c: Checker, x: TensorView, y: TensorView): ArgPlan {
  const rank = x.shape.length;
  const axis = c.axis(c.int('axis', 0), rank);
  const keepdims = c.int('keepdims', 1) !== 0;
  const last = c.int('select_last_index', 0) !== 0;
  const len = x.shape[axis]!;
  if (len === 0) c.fail(`axis ${axis} of [${x.shape.join(',')}] is empty: there is no extreme to index`);
  c.shapeIs(y, keepdims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis), 'output');
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return { axis, last, outer, len, inner };
}
