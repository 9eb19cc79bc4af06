// The arithmetic of ONNX linear quantization shared by the quantization kernels: the integer
// types' ranges, quantize = saturate(roundHalfEven(x / scale) + zero point), which scale and zero
// point each element reads, and the QLinear ops' shared prologue (operands, parameters, requantization).

import type { DType, TensorView } from '../../tensor.js';
import { fromFloat16Bits, toFloat16Bits } from '../../float16.js';
import { roundHalfEven } from '../ref/round.js';
import type { Checker } from './define.js';

/** The quantized integer types spc represents, with their ranges. */
export const QUANT_RANGE: Readonly<Partial<Record<DType, readonly [number, number]>>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
};
export const QUANT_TYPES: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16'];
/** The 8-bit types QLinearMatMul/QLinearConv/MatMulInteger/ConvInteger take. */
export const INT8_TYPES: readonly DType[] = ['int8', 'uint8'];

/** The scales' float types (float16: QLinearMatMul from opset 21). */
export const SCALE_TYPES: readonly DType[] = ['float32', 'float16'];

/** Rounds a double to the scales' type: the spec's reference multiplies and divides scales in their own type. */
export function roundToScaleType(dtype: DType): (x: number) => number {
  return dtype === 'float16' ? (x) => fromFloat16Bits(toFloat16Bits(x)) : Math.fround;
}

/** saturate(roundHalfEven(v) + zp) into [lo, hi]; NaN goes to the zero point (what onnxruntime stores). */
export function quantizeValue(v: number, zp: number, lo: number, hi: number): number {
  const q = roundHalfEven(v);
  if (Number.isNaN(q)) return Math.min(hi, Math.max(lo, zp));
  return Math.min(hi, Math.max(lo, q + zp));
}

/**
 * For every element of a tensor of shape `shape`, the index of its scale / zero point: its
 * coordinate along `axis` (per axis: a 1-D scale of that axis' length) or, with `blockSize` > 0,
 * the element of the scale (of x's rank, x's shape but ceil(D / blockSize) along `axis`) whose
 * block holds it; undefined per tensor (the scale has one element: every element reads index 0).
 */
export function paramIndex(c: Checker, shape: readonly number[], scale: TensorView, zp: TensorView | undefined, axisAttr: number, blockSize: number): Int32Array | undefined {
  const n = shape.reduce((p, d) => p * d, 1);
  const ss = scale.shape;
  const single = (v: TensorView): boolean => v.shape.length <= 1 && v.shape.every((d) => d === 1);
  // A scalar and a [1] both mean one value per tensor; otherwise the shapes must agree.
  if (zp !== undefined && !(single(zp) && single(scale)) && (zp.shape.length !== ss.length || zp.shape.some((d, i) => d !== ss[i]))) {
    c.fail(`zero point shape [${zp.shape.join(',')}] differs from scale shape [${ss.join(',')}]`);
  }
  if (blockSize < 0) c.fail(`block_size ${blockSize} must be >= 0`);
  const count = ss.reduce((p, d) => p * d, 1);
  if (blockSize === 0 && ss.length <= 1 && count === 1) return undefined; // per tensor
  const rank = shape.length;
  const idx = new Int32Array(n);
  const axis = c.axis(axisAttr, Math.max(rank, 1));
  if (rank === 0) c.fail(`a scale of shape [${ss.join(',')}] needs an input of rank >= 1`);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const dim = shape[axis]!;
  if (blockSize === 0) {
    if (ss.length !== 1 || ss[0] !== dim) c.fail(`per-axis scale must have shape [${dim}] (axis ${axisAttr}), got [${ss.join(',')}]`);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(i / inner) % dim;
    return idx;
  }
  const blocks = Math.ceil(dim / blockSize);
  const want = shape.map((d, i) => (i === axis ? blocks : d));
  if (ss.length !== rank || ss.some((d, i) => d !== want[i])) {
    c.fail(`blocked scale (block_size ${blockSize}, axis ${axisAttr}) must have shape [${want.join(',')}], got [${ss.join(',')}]`);
  }
  // Element (outer, a, inner) reads scale element (outer, floor(a / blockSize), inner).
  for (let i = 0; i < n; i++) {
    const rest = i % inner, a = Math.floor(i / inner) % dim, outer = Math.floor(i / (inner * dim));
    idx[i] = (outer * blocks + Math.floor(a / blockSize)) * inner + rest;
  }
  return idx;
}

/** A scale of one element (shape [] or [1]) or one per `len` entries (shape [len]); fails otherwise naming `what`. */
export function checkScalarOrVector(c: Checker, v: TensorView | undefined, len: number, what: string, perWhat: string): void {
  if (v === undefined) return;
  const n = v.shape.reduce((p, d) => p * d, 1);
  if (v.shape.length <= 1 && n === 1) return;
  if (v.shape.length === 1 && v.shape[0] === len) return;
  c.fail(`${what} must have one element or ${len} (${perWhat}), got shape [${v.shape.join(',')}]`);
}

/** Element i of a per-tensor or per-vector parameter (0 when absent; float16 read from its bits). */
export function paramAt(v: TensorView | undefined, i: number): number {
  if (v === undefined) return 0;
  const e = v.data[v.shape.reduce((p, d) => p * d, 1) === 1 ? 0 : i];
  return v.dtype === 'float16' ? fromFloat16Bits(e as number) : Number(e);
}

/** A per-tensor parameter: exactly one element. */
export function checkScalar(c: Checker, v: TensorView | undefined, what: string): void {
  if (v === undefined) return;
  const n = v.shape.reduce((p, d) => p * d, 1);
  if (v.shape.length > 1 || n !== 1) c.fail(`${what} must be a scalar (per tensor), got shape [${v.shape.join(',')}]`);
}

/** A quantization parameter's form: one value per tensor, or (with `per`) one or `len` values, one per `what`. */
export interface ParamForm { readonly per?: { readonly len: number; readonly what: string } }

/** Checks parameter `v` (input `label`, e.g. "input 4 (w_scale)") against its form. */
export function checkParam(c: Checker, v: TensorView | undefined, label: string, form: ParamForm): void {
  if (form.per === undefined) checkScalar(c, v, label);
  else checkScalarOrVector(c, v, form.per.len, label, form.per.what);
}

/** An 8-bit operand of the integer ops (input `xi`) and its optional zero point (input `zpi`, the operand's dtype). */
export function int8Operand(c: Checker, xi: number, zpi: number): { readonly x: TensorView; readonly zp: TensorView | undefined } {
  const x = c.input(xi, INT8_TYPES);
  return { x, zp: c.optionalInput(zpi, [x.dtype]) };
}

/** The names and forms of QLinearConv's and QLinearMatMul's output-stage inputs 1, 4, 6 and 7. */
export interface RequantForm {
  readonly names: readonly [string, string, string, string];
  readonly forms: readonly [ParamForm, ParamForm, ParamForm, ParamForm];
  /** The scales' allowed types (they share one). */
  readonly scaleTypes: readonly DType[];
}

/**
 * QLinearConv's and QLinearMatMul's requantization: binds the operands' scales (inputs 1 and 4), y's
 * scale and zero point (6, 7), checks their forms, and returns what turns the int32 accumulator into
 * y: element t reads scale 1 at index first(t), the others at second(t), and is
 * saturate(round(acc · (s1 · s4 / s6)) + zp), the multiplier rounded in the scales' type as the
 * spec's reference computes it and the product in float32 as onnxruntime computes it.
 */
export function requantizer(c: Checker, y: TensorView, f: RequantForm, first: (t: number) => number, second: (t: number) => number): (acc: Int32Array) => void {
  const s1 = c.input(1, f.scaleTypes), s4 = c.input(4, [s1.dtype]), s6 = c.input(6, [s1.dtype]);
  const zp = c.optionalInput(7, [y.dtype]);
  [s1, s4, s6, zp].forEach((v, k) => checkParam(c, v, `input ${[1, 4, 6, 7][k]} (${f.names[k]})`, f.forms[k]!));
  const [lo, hi] = QUANT_RANGE[y.dtype]!;
  const round = roundToScaleType(s1.dtype);
  const yd = y.data as Int8Array | Uint8Array;
  return (acc) => {
    for (let t = 0; t < acc.length; t++) {
      const i = first(t), j = second(t);
      const mult = round(round(paramAt(s1, i) * paramAt(s4, j)) / paramAt(s6, j));
      // In float32, as onnxruntime's MlasRequantizeOutput: float(acc) · multiplier. The exact
      // (double) product rounds differently where float32 lands on a tie (acc 3 · fround(7/6)).
      yd[t] = quantizeValue(Math.fround(Math.fround(acc[t]!) * mult), paramAt(zp, j), lo, hi);
    }
  };
}

/**
 * QuantizeLinear's and DequantizeLinear's shared prologue: y has x's shape, and element i reads
 * scale and zero point element at(i) (per tensor, per axis or per block, from the node's axis and
 * block_size).
 */
export function linearParams(c: Checker, x: TensorView, y: TensorView, scale: TensorView, zp: TensorView | undefined): { readonly n: number; at(i: number): number } {
  c.shapeIs(y, x.shape, 'output');
  const index = paramIndex(c, x.shape, scale, zp, c.int('axis', 1), c.int('block_size', 0));
  const n = x.shape.reduce((p, d) => p * d, 1);
  return { n, at: index === undefined ? () => 0 : (i) => index[i]! };
}
