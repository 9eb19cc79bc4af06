// js broadcasting float32 Add/Sub/Mul/Div/Pow and Equal/GreaterOrEqual (float32, int32, int64 to
// bool). At prepare time the broadcast is collapsed to rows:
// size-1 axes dropped, neighbouring axes merged where both operands stay contiguous (or stay
// broadcast) across them, so every case becomes `rows` runs of `len` outputs:
//
//   y[r·len + j] = a[rowA[r] + j·sa] ∘ b[rowB[r] + j·sb]      sa, sb ∈ {0, 1}
//
// same shape → 1 row (sa = sb = 1); scalar → 1 row, stride 0; a bias [C] or [1,1,C] on [N,C] →
// N rows, bias offset 0; a per-row [N,1] on [N,C] → N rows, stride 0; the rest via the tables.

import type { DType } from '../../tensor.js';
import type { Kernel, NodeShapes } from '../kernel.js';
import { broadcastShape, broadcastStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';

const F32: readonly DType[] = ['float32'];

/** The broadcast as row runs: offsets of each operand's row, the row length and inner strides. */
export interface RowPlan {
  readonly rows: number;
  readonly len: number;
  readonly sa: number;
  readonly sb: number;
  readonly rowA: Int32Array;
  readonly rowB: Int32Array;
}

/** Collapses the broadcast of `a` and `b` into row runs; undefined when the shapes do not broadcast. */
export function planRows(a: readonly number[], b: readonly number[]): { shape: number[]; plan: RowPlan } | undefined {
  const shape = broadcastShape([a, b]);
  if (shape === undefined) return undefined;
  const stA = broadcastStrides(a, shape)!, stB = broadcastStrides(b, shape)!;
  // Keep the axes longer than 1, then merge an axis into the next when both operands walk
  // them as one (contiguous through, or broadcast along both).
  const dims: number[] = [], ka: number[] = [], kb: number[] = [];
  shape.forEach((d, i) => { if (d !== 1) { dims.push(d); ka.push(stA[i]!); kb.push(stB[i]!); } });
  for (let i = dims.length - 2; i >= 0; i--) {
    const joins = (s: number[]): boolean => (s[i] === 0 && s[i + 1] === 0) || (s[i] !== 0 && s[i + 1] !== 0 && s[i] === s[i + 1]! * dims[i + 1]!);
    if (joins(ka) && joins(kb)) {
      dims[i] = dims[i]! * dims[i + 1]!;
      ka[i] = ka[i + 1]!; kb[i] = kb[i + 1]!;
      dims.splice(i + 1, 1); ka.splice(i + 1, 1); kb.splice(i + 1, 1);
    }
  }
  const n = shape.reduce((p, d) => p * d, 1);
  const last = dims.length - 1;
  const len = last < 0 ? Math.min(n, 1) : dims[last]!;
  const sa = last < 0 ? 0 : ka[last]!, sb = last < 0 ? 0 : kb[last]!;
  const rows = len === 0 ? 0 : n / len;
  const rowA = new Int32Array(rows), rowB = new Int32Array(rows);
  // Odometer over the outer axes, once, at prepare time.
  const outer = dims.slice(0, Math.max(last, 0));
  const counter = new Array<number>(outer.length).fill(0);
  let oa = 0, ob = 0;
  for (let r = 0; r < rows; r++) {
    rowA[r] = oa; rowB[r] = ob;
    for (let d = outer.length - 1; d >= 0; d--) {
      oa += ka[d]!; ob += kb[d]!;
      if (++counter[d]! < outer[d]!) break;
      oa -= ka[d]! * outer[d]!; ob -= kb[d]! * outer[d]!;
      counter[d] = 0;
    }
  }
  return { shape, plan: { rows, len, sa, sb, rowA, rowB } };
}

type RunRows = (y: Float32Array, a: Float32Array, b: Float32Array, p: RowPlan) => void;

// One loop body per op (no per-element call): V8 keeps each monomorphic.
const addRows: RunRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    if (sa === 1 && sb === 1) for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! + b[ib + j]!;
    else if (sa === 1) { const v = b[ib]!; for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! + v; }
    else if (sb === 1) { const v = a[ia]!; for (let j = 0; j < len; j++) y[o + j] = v + b[ib + j]!; }
    else { const v = a[ia]! + b[ib]!; for (let j = 0; j < len; j++) y[o + j] = v; }
  }
};
const subRows: RunRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    if (sa === 1 && sb === 1) for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! - b[ib + j]!;
    else if (sa === 1) { const v = b[ib]!; for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! - v; }
    else if (sb === 1) { const v = a[ia]!; for (let j = 0; j < len; j++) y[o + j] = v - b[ib + j]!; }
    else { const v = a[ia]! - b[ib]!; for (let j = 0; j < len; j++) y[o + j] = v; }
  }
};
const mulRows: RunRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    if (sa === 1 && sb === 1) for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! * b[ib + j]!;
    else if (sa === 1) { const v = b[ib]!; for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! * v; }
    else if (sb === 1) { const v = a[ia]!; for (let j = 0; j < len; j++) y[o + j] = v * b[ib + j]!; }
    else { const v = a[ia]! * b[ib]!; for (let j = 0; j < len; j++) y[o + j] = v; }
  }
};
// Division stays a division (not a multiply by 1/v): the result must match the ref bit for bit.
const divRows: RunRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    if (sa === 1 && sb === 1) for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! / b[ib + j]!;
    else if (sa === 1) { const v = b[ib]!; for (let j = 0; j < len; j++) y[o + j] = a[ia + j]! / v; }
    else if (sb === 1) { const v = a[ia]!; for (let j = 0; j < len; j++) y[o + j] = v / b[ib + j]!; }
    else { const v = a[ia]! / b[ib]!; for (let j = 0; j < len; j++) y[o + j] = v; }
  }
};

function binaryJs(op: string, runRows: RunRows): Kernel {
  return defineKernel({
    dtype: 'f32', tile: 'bcast', op, target: 'js', dtypes: F32,
    supports(node: NodeShapes): boolean {
      const [a, b] = node.inputs;
      return a?.dtype === 'float32' && b?.dtype === 'float32' && broadcastShape([a.shape, b.shape]) !== undefined;
    },
    prepare(c) {
      const a = c.input(0, F32);
      const b = c.input(1, F32);
      const y = c.output(0, F32);
      const planned = planRows(a.shape, b.shape);
      if (planned === undefined) c.fail(`shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] do not broadcast`);
      c.shapeIs(y, planned!.shape, 'output');
      const { plan } = planned!;
      const yd = y.data as Float32Array, ad = a.data as Float32Array, bd = b.data as Float32Array;
      return () => runRows(yd, ad, bd, plan);
    },
  });
}

// Pow by a broadcast exponent of 2 (exporters' x², LayerNorm's variance) is a product: exact,
// as Math.pow(x, 2) is for a float32 x (its square fits a double), so it matches the ref bit for bit.
const powRows: RunRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    if (sb === 0 && b[ib] === 2) for (let j = 0; j < len; j++) { const v = a[ia + j * sa]!; y[o + j] = v * v; }
    else for (let j = 0; j < len; j++) y[o + j] = Math.pow(a[ia + j * sa]!, b[ib + j * sb]!);
  }
};


// Comparisons: float32, int32 or int64 operands of one dtype (bigint compares as number does),
// bool output as 0/1 bytes; NaN compares false. Same row plan as the arithmetic ops.
type Cmp = Float32Array | Int32Array;
type CompareRows = (y: Uint8Array, a: Cmp, b: Cmp, p: RowPlan) => void;
const equalRows: CompareRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    for (let j = 0; j < len; j++) y[o + j] = a[ia + j * sa] === b[ib + j * sb] ? 1 : 0;
  }
};
const greaterOrEqualRows: CompareRows = (y, a, b, { rows, len, sa, sb, rowA, rowB }) => {
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    const ia = rowA[r]!, ib = rowB[r]!;
    for (let j = 0; j < len; j++) y[o + j] = a[ia + j * sa]! >= b[ib + j * sb]! ? 1 : 0;
  }
};

const COMPARED: readonly DType[] = ['float32', 'int32', 'int64'];

function compareJs(op: string, runRows: CompareRows): Kernel {
  return defineKernel({
    dtype: 'any', tile: 'bcast', op, target: 'js', dtypes: COMPARED,
    supports(node: NodeShapes): boolean {
      const [a, b] = node.inputs;
      return a !== undefined && b !== undefined && a.dtype === b.dtype && COMPARED.includes(a.dtype as DType)
        && broadcastShape([a.shape, b.shape]) !== undefined;
    },
    prepare(c) {
      const a = c.input(0, COMPARED);
      const b = c.input(1, COMPARED);
      c.sameDType(a, b, 'input 1');
      const y = c.output(0, ['bool']);
      const planned = planRows(a.shape, b.shape);
      if (planned === undefined) c.fail(`shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] do not broadcast`);
      c.shapeIs(y, planned!.shape, 'output');
      const { plan } = planned!;
      // BigInt64Array elements compare with === and >= as the number arrays do: the cast only satisfies the compiler.
      const yd = y.data as Uint8Array, ad = a.data as Cmp, bd = b.data as Cmp;
      return () => runRows(yd, ad, bd, plan);
    },
  });
}

export const BINARY_JS_KERNELS: readonly Kernel[] = [
  binaryJs('Add', addRows), binaryJs('Sub', subRows), binaryJs('Mul', mulRows), binaryJs('Div', divRows),
  binaryJs('Pow', powRows), compareJs('Equal', equalRows), compareJs('GreaterOrEqual', greaterOrEqualRows),
];
