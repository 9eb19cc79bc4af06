// wasmsimd int8 Conv: QLinearConv (requantized int8/uint8 output) and ConvInteger (int32 output),
// NCHW 1-D and 2-D, group 1, weight zero point and scale per tensor or per output channel:
//
//   i8-qlinearconv-4x8-wasmsimd, i8-convinteger-4x8-wasmsimd (asm/int8.as, pair-interleaved layout):
//     W[Cout][Cin·KH·KW] − w_zero_point → int16 k pairs of 4 channels (i8packPairs), packed once
//     at prepare when both are weights (ctx.constants), else at every run (either may be a graph input);
//     per image, PT output pixels at a time: im2col rows of k pairs, x − x_zero_point
//     (i8im2colPairs, column stride 1 or 2: 8 pixels per vector; a 1×1 conv with unit strides and no
//     pads interleaves x's planes directly, i8packPointwise), then i8gemmPixels' 4-channel × 8-pixel
//     int16 dot tiles, bias and requantization fused.
//
// Grouped and depthwise int8 convs and 3-D convs are refused by `supports`: the ref kernel runs them.

import type { NodeShapes } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { convIntegerRef, qLinearConvRef } from '../ref/qlinearconv.js';
import { windowGeometry } from '../common/geometry.js';
import { geometry2d } from './conv-shape.js';
import type { I8GemmPixels, I8Im2colPairs, I8PackPairs, I8PackPointwise } from './int8-gemm.js';
import { bytePointer, bytes16, fillRequant, gemmMode, int8Kernel, isInt8, padCols, padK, requantClamp } from './int8-gemm.js';

const NEEDS = 'an int8/uint8 1-D or 2-D Conv with group 1';

/** Input indices of x, its zero point, w, its zero point, and the bias, per op (every int8 conv kernel). */
export const CONV_LAYOUT = {
  QLinearConv: { x: 0, xZp: 2, w: 3, wZp: 5, bias: 8 },
  ConvInteger: { x: 0, xZp: 2, w: 1, wZp: 3, bias: -1 },
} as const;
export type Int8ConvOp = keyof typeof CONV_LAYOUT;

/**
 * The operands of an int8 conv any kernel here can run, before its own group rule: x and w
 * int8/uint8 and unpacked, y int8/uint8 (QLinearConv) or int32 (ConvInteger), all of rank 3 or 4
 * (1-D or 2-D), batch and output channels agreeing. Undefined otherwise.
 */
export function int8ConvOperands(op: Int8ConvOp, node: NodeShapes): { x: readonly number[]; w: readonly number[]; group: unknown } | undefined {
  const at = CONV_LAYOUT[op];
  const x = node.inputs[at.x], w = node.inputs[at.w], y = node.outputs[0];
  if (!x || !w || !y || !isInt8(x.dtype) || !isInt8(w.dtype) || w.packed) return undefined;
  if (op === 'QLinearConv' ? !isInt8(y.dtype) : y.dtype !== 'int32') return undefined;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return undefined;
  if (y.shape[0] !== x.shape[0] || y.shape[1] !== w.shape[0]) return undefined;
  return { x: x.shape, w: w.shape, group: node.attrs['group'] ?? 1 };
}

/**
 * What every int8 conv kernel does before its product: W (less its zero point) packed once here
 * when it and its zero point are weights (ctx.constants), else by the returned step at every run
 * (either may be a graph input); the requantization tables likewise, once here when every scale and
 * y's zero point are constants (not a loop over the channels per run), else at every
 * run. The returned step gives x's zero point for the run.
 */
export function int8ConvRunStart(c: Checker, op: Int8ConvOp, packW: () => void, mode: number, mult: Float32Array, zy: Int32Array, cout: number,
  requant?: RequantState): () => number {
  const at = CONV_LAYOUT[op];
  const xZp = c.ctx.inputs[at.xZp], wZp = c.ctx.inputs[at.wZp];
  const fixedW = c.isConstant(at.w) && (wZp === undefined || c.isConstant(at.wZp));
  if (fixedW) packW();
  const [xScale, wScale, yScale, yZp] = [c.ctx.inputs[1], c.ctx.inputs[4], c.ctx.inputs[6], c.ctx.inputs[7]];
  const bias = at.bias < 0 ? undefined : c.ctx.inputs[at.bias];
  const fixedRequant = [1, 4, 6, 7, at.bias].every((i) => i < 0 || c.ctx.inputs[i] === undefined || c.isConstant(i));
  const k = requant ? c.input(at.w).shape.slice(1).reduce((a, d) => a * d, 1) : 0;
  const fill = (): void => {
    fillRequant(mult, zy, cout, xScale!, wScale!, yScale!, yZp);
    if (requant) requant.clamp = requantClamp(mult, cout, k, bias);
  };
  if (mode !== 0 && fixedRequant) fill();
  return () => {
    if (mode !== 0 && !fixedRequant) fill();
    if (!fixedW) packW();
    return xZp === undefined ? 0 : Number(xZp.data[0]);
  };
}

/** Whether the requantization clamps before it rounds (int8-gemm.ts requantClamp), set when the tables are filled (for a kernel that passes one). */
export interface RequantState { clamp: number }

function supportsConv(op: Int8ConvOp) {
  return (node: NodeShapes): boolean => {
    const o = int8ConvOperands(op, node);
    return o !== undefined && o.group === 1 && o.w[1] === o.x[1];
  };
}

const spatial = (shape: readonly number[]): number => shape.slice(2).reduce((a, d) => a * d, 1);

/** Output pixels per im2col tile: int16 rows of about 128 KiB in all (L2-resident), a multiple of 4, no more than the image needs. */
function pixelTile(kpad: number, p: number): number {
  const fit = Math.max(4, Math.floor(65536 / Math.max(kpad, 1) / 4) * 4);
  return Math.min(fit, padCols(p));
}

function convInt8(op: Int8ConvOp) {
  const at = CONV_LAYOUT[op];
  const supports = supportsConv(op);
  return int8Kernel({
    op, ref: op === 'QLinearConv' ? qLinearConvRef : convIntegerRef, needs: NEEDS, supports, tile: '4x8',
    scratchBytes(node) {
      if (!supports(node)) return 0;
      const w = node.inputs[at.w]!.shape, cout = w[0]!, k = w.slice(1).reduce((a, d) => a * d, 1), kpad = padK(k);
      const pt = pixelTile(kpad, spatial(node.outputs[0]!.shape));
      return bytes16(padCols(cout) * kpad * 2) + bytes16(pt * kpad * 2) + bytes16(4 * (Math.ceil(pt / 8) * 8))
        + 2 * bytes16(cout * 4);
    },
    prepare(c, env) {
      // The ref kernel has checked types, shapes, zero points, scales and the window geometry.
      const x = c.input(at.x), w = c.input(at.w), y = c.output(0);
      const wZp = c.ctx.inputs[at.wZp], bias = at.bias < 0 ? undefined : c.ctx.inputs[at.bias];
      const [batch, cin] = x.shape as [number, number];
      const cout = w.shape[0]!;
      const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
      const { H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d({ g });
      const K = cin * KH * KW, kpad = padK(K), P = spatial(y.shape), pt = pixelTile(kpad, P);
      const { mode, lo, hi } = gemmMode(y.dtype);
      const xs = x.dtype === 'int8' ? 1 : 0, ws = w.dtype === 'int8' ? 1 : 0;
      const xp = bytePointer(c, env, x, 'input x'), wp = bytePointer(c, env, w, 'weight'), yp = bytePointer(c, env, y, 'output');
      const wzp = wZp === undefined ? 0 : bytePointer(c, env, wZp, "w's zero point");
      const wzStep = wZp !== undefined && wZp.data.length > 1 ? 1 : 0;
      const bp = bias === undefined ? 0 : bytePointer(c, env, bias, 'bias');
      const packed = env.scratch(bytes16(padCols(cout) * kpad * 2));
      const col = env.scratch(bytes16(pt * kpad * 2)), tmp = env.scratch(bytes16(4 * (Math.ceil(pt / 8) * 8)));
      const multP = env.scratch(bytes16(cout * 4)), zyP = env.scratch(bytes16(cout * 4));
      const mult = new Float32Array(env.memory.buffer, multP, cout), zy = new Int32Array(env.memory.buffer, zyP, cout);
      const pack = env.exports['i8packPairs'] as I8PackPairs;
      const packW = (): void => pack(wp, ws, wzp, wzStep, cout, K, kpad, packed);
      const requant: RequantState = { clamp: 1 };
      const start = int8ConvRunStart(c, op, packW, mode, mult, zy, cout, requant);
      const im2col = env.exports['i8im2colPairs'] as I8Im2colPairs, gemm = env.exports['i8gemmPixels'] as I8GemmPixels;
      const planes = env.exports['i8packPointwise'] as I8PackPointwise;
      const pointwise = KH === 1 && KW === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && OW === W && P === H * W;
      const eb = mode === 0 ? 4 : 1;
      const xStep = cin * H * W, yStep = cout * P * eb;
      return () => {
        const zx = start();
        for (let n = 0; n < batch; n++) {
          for (let p0 = 0; p0 < P; p0 += pt) {
            const pn = Math.min(pt, P - p0);
            if (pointwise) planes(xp + n * xStep, xs, zx, col, cin, P, p0, pn, kpad);
            else im2col(xp + n * xStep, xs, zx, col, tmp, cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, p0, pn, kpad);
            gemm(packed, col, cout, pn, kpad, yp + n * yStep + p0 * eb, P, mode, bp, multP, zyP, lo, hi, requant.clamp);
          }
        }
      };
    },
  });
}

export const qLinearConvWasm = convInt8('QLinearConv');
export const convIntegerWasm = convInt8('ConvInteger');
