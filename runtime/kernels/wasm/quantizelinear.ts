// wasmsimd QuantizeLinear (float32 → int8/uint8) and DequantizeLinear (int8/uint8 → float32),
// scale and zero point per tensor or per axis, 16 elements per step (asm/int8.as i8quantize,
// i8dequantize): the element at [o][a][i] of x seen as [outer][dim][inner] reads parameter a.
//
// Blocked parameters (opset 21 block_size), 16-bit types and int32 DequantizeLinear are refused
// by `supports`: the ref kernel runs them.

import type { NodeShapes, WasmEnv } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { dequantizeLinearRef, quantizeLinearRef } from '../ref/quantizelinear.js';
import { bytePointer, gemmMode, int8Kernel, isInt8 } from './int8-gemm.js';

type I8Quantize = (x: number, y: number, outer: number, dim: number, inner: number, scale: number, zp: number, mode: number) => void;
type I8Dequantize = (x: number, signed: number, y: number, outer: number, dim: number, inner: number, scale: number, zp: number) => void;

const NEEDS_Q = 'a float32 → int8/uint8 QuantizeLinear, per tensor or per axis';
const NEEDS_DQ = 'an int8/uint8 → float32 DequantizeLinear, per tensor or per axis';

const count = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const unblocked = (node: NodeShapes): boolean => (node.attrs['block_size'] ?? 0) === 0;

/** x as [outer][dim][inner] around the parameters' axis (dim 1 when they are per tensor); the ref kernel has checked their shapes. */
function layout(c: Checker, shape: readonly number[], scaleCount: number): { outer: number; dim: number; inner: number } {
  if (scaleCount === 1) return { outer: 1, dim: 1, inner: count(shape) };
  const axis = c.axis(c.int('axis', 1), shape.length);
  return { outer: count(shape.slice(0, axis)), dim: shape[axis]!, inner: count(shape.slice(axis + 1)) };
}

/** Quantize/DequantizeLinear's operands (x, scale, optional zero point, y): the axis layout and their byte pointers. */
function linearOperands(c: Checker, env: WasmEnv) {
  const x = c.input(0), scale = c.input(1), zp = c.optionalInput(2), y = c.output(0);
  const { outer, dim, inner } = layout(c, x.shape, count(scale.shape));
  const xp = bytePointer(c, env, x, 'input x'), sp = bytePointer(c, env, scale, 'scale'), yp = bytePointer(c, env, y, 'output');
  const zpp = zp === undefined ? 0 : bytePointer(c, env, zp, 'zero point');
  return { x, y, outer, dim, inner, xp, sp, yp, zpp };
}

export const quantizeLinearWasm = int8Kernel({
  op: 'QuantizeLinear', dtype: 'f32', tile: '1x16', ref: quantizeLinearRef, needs: NEEDS_Q,
  supports: (node) => node.inputs[0]?.dtype === 'float32' && isInt8(node.outputs[0]?.dtype) && unblocked(node),
  scratchBytes: () => 0,
  prepare(c, env) {
    const { y, outer, dim, inner, xp, sp, yp, zpp } = linearOperands(c, env);
    const { mode } = gemmMode(y.dtype);
    const quantize = env.exports['i8quantize'] as I8Quantize;
    return () => quantize(xp, yp, outer, dim, inner, sp, zpp, mode);
  },
});

export const dequantizeLinearWasm = int8Kernel({
  op: 'DequantizeLinear', tile: '1x16', ref: dequantizeLinearRef, needs: NEEDS_DQ,
  supports: (node) => isInt8(node.inputs[0]?.dtype) && node.outputs[0]?.dtype === 'float32' && unblocked(node),
  scratchBytes: () => 0,
  prepare(c, env) {
    const { x, outer, dim, inner, xp, sp, yp, zpp } = linearOperands(c, env);
    const dequantize = env.exports['i8dequantize'] as I8Dequantize;
    return () => dequantize(xp, x.dtype === 'int8' ? 1 : 0, yp, outer, dim, inner, sp, zpp);
  },
});
