// wasmsimd grouped and depthwise int8 Conv: QLinearConv and ConvInteger with group > 1, NCHW 1-D
// and 2-D, any stride, padding and dilation, zero points and scales per tensor or per channel:
//
//   i8-qlinearconv-1x8-wasmsimd, i8-convinteger-1x8-wasmsimd (asm/int8grouped.as, direct):
//     W[Cout][Cin/g·KH·KW] − w_zero_point → int16 rows (i8pack), repacked only when W or its
//     zero point changed since the last run; per image and group, its Cin/g input channels as
//     zero-padded int16 planes of x − x_zero_point (i8padPlane), then 1 output channel × 8 pixels
//     at a time over every tap (i8convGroup), bias and requantization fused. A 3×3 window with one
//     input channel per group (depthwise), dilation 1 and column stride 1 or 2 runs i8dwconv3x3
//     instead, one call per image: two taps per i32x4.dot_i16x8_s, 8 outputs of a row at a time.
//
// Group 1 is the 2x4 kernel's (qlinearconv.ts: im2col + int16 dot tiles).

import type { NodeShapes } from '../kernel.js';
import { convIntegerRef, qLinearConvRef } from '../ref/qlinearconv.js';
import { windowGeometry } from '../common/geometry.js';
import { geometry2d } from './conv-shape.js';
import type { I8Pack } from './int8-gemm.js';
import { bytePointer, bytes16, gemmMode, int8Kernel } from './int8-gemm.js';
import type { Int8ConvOp } from './qlinearconv.js';
import type { RequantState } from './qlinearconv.js';
import { CONV_LAYOUT, int8ConvOperands, int8ConvRunStart } from './qlinearconv.js';

const NEEDS = 'an int8/uint8 1-D or 2-D Conv with group > 1';

type I8PadPlane = (x: number, signed: number, zx: number, h: number, w: number, ph: number, pw: number, hp: number, wp: number, plane: number) => void;
type I8DwConv3x3 = (x: number, signed: number, zx: number, groups: number, opg: number, h: number, w: number, ph: number, pw: number,
  plane: number, hp: number, wp: number, w16: number, oh: number, ow: number, sh: number, sw: number,
  y: number, mode: number, bias: number, mult: number, zy: number, lo: number, hi: number, clamp: number) => void;
type I8ConvGroup = (planes: number, w16: number, oc0: number, n: number, cpg: number, hp: number, wp: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, y: number, mode: number, bias: number, mult: number, zy: number, lo: number, hi: number) => void;

function supportsGrouped(op: Int8ConvOp) {
  return (node: NodeShapes): boolean => {
    const o = int8ConvOperands(op, node);
    if (o === undefined) return false;
    const { x, w, group } = o;
    return typeof group === 'number' && group > 1 && w[1]! * group === x[1] && w[0]! % group === 0;
  };
}

/** Whether i8dwconv3x3 runs the window: 3×3, one input channel per group, dilation 1, column stride 1 or 2. */
function isDw3x3(cpg: number, KH: number, KW: number, sw: number, dh: number, dw: number): boolean {
  return cpg === 1 && KH === 3 && KW === 3 && dh === 1 && dw === 1 && (sw === 1 || sw === 2);
}

/**
 * The padded plane of one input channel: every row and column 8-pixel blocks of the output read
 * (asm/int8grouped.as i8convGroup; i8dwconv3x3 reads a zero-weighted fourth tap past the third).
 */
function planeShape(OH: number, OW: number, KH: number, KW: number, sh: number, sw: number, dh: number, dw: number, dw3x3: { W: number } | undefined): { Hp: number; Wp: number } {
  const ow8 = Math.ceil(OW / 8) * 8, Hp = (OH - 1) * sh + (KH - 1) * dh + 1;
  if (dw3x3) {
    // i8dwconv3x3 also writes each image row's last vector whole: pw + ⌈W/8⌉·8 columns, with
    // pw ≤ (OW − 1)·sw + 3 + (sw − 1) − W (OW = ⌊(W + pads − 3) / sw⌋ + 1, pads ≥ 0)
    const pwMax = Math.max(0, (OW - 1) * sw + 2 + sw - dw3x3.W);
    return { Hp, Wp: Math.max((ow8 - 1) * sw + 5, pwMax + Math.ceil(dw3x3.W / 8) * 8) };
  }
  return { Hp, Wp: (ow8 - 1) * sw + (KW - 1) * dw + 1 + (sw === 2 ? 1 : 0) };
}

/** OH, OW, KH, KW, strides and dilations of a node's 1-D or 2-D window, from its shapes and attributes (1 for a 1-D conv's missing axis). */
function windowOf(node: NodeShapes, at: (typeof CONV_LAYOUT)[Int8ConvOp]) {
  const y = node.outputs[0]!.shape, w = node.inputs[at.w]!.shape, two = y.length === 4;
  const attr = (name: string, i: number): number => ((node.attrs[name] as readonly number[] | undefined)?.[two ? i : 0] ?? 1);
  const axis = (s: readonly number[], i: number): number => (two ? s[2 + i]! : i === 0 ? 1 : s[2]!);
  return {
    OH: axis(y, 0), OW: axis(y, 1), KH: axis(w, 0), KW: axis(w, 1),
    sh: two ? attr('strides', 0) : 1, sw: two ? attr('strides', 1) : attr('strides', 0),
    dh: two ? attr('dilations', 0) : 1, dw: two ? attr('dilations', 1) : attr('dilations', 0),
  };
}

function groupedInt8(op: Int8ConvOp) {
  const at = CONV_LAYOUT[op];
  const supports = supportsGrouped(op);
  return int8Kernel({
    op, tile: '1x8', ref: op === 'QLinearConv' ? qLinearConvRef : convIntegerRef, needs: NEEDS, supports,
    scratchBytes(node) {
      if (!supports(node)) return 0;
      const w = node.inputs[at.w]!.shape, cout = w[0]!, cpg = w[1]!, k = w.slice(1).reduce((a, d) => a * d, 1);
      const { OH, OW, KH, KW, sh, sw, dh, dw } = windowOf(node, at);
      const x = node.inputs[at.x]!.shape;
      const { Hp, Wp } = planeShape(OH, OW, KH, KW, sh, sw, dh, dw, isDw3x3(cpg, KH, KW, sw, dh, dw) ? { W: x[x.length - 1]! } : undefined);
      return bytes16(cout * k * 2) + bytes16(cpg * Hp * Wp * 2) + 2 * bytes16(cout * 4);
    },
    prepare(c, env) {
      // The ref kernel has checked types, shapes, zero points, scales, the group and the window geometry.
      const x = c.input(at.x), w = c.input(at.w), y = c.output(0);
      const wZp = c.ctx.inputs[at.wZp], bias = at.bias < 0 ? undefined : c.ctx.inputs[at.bias];
      const [batch, cin] = x.shape as [number, number];
      const [cout, cpg] = w.shape as [number, number];
      const groups = cin / cpg, opg = cout / groups;
      const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d({ g });
      const K = cpg * KH * KW, P = OH * OW;
      const dw3x3 = isDw3x3(cpg, KH, KW, sw, dh, dw);
      const { Hp, Wp } = planeShape(OH, OW, KH, KW, sh, sw, dh, dw, dw3x3 ? { W } : undefined);
      if (dw3x3 && pw + Math.ceil(W / 8) * 8 > Wp) c.fail(`i8dwconv3x3's plane of ${Wp} columns cannot hold pad ${pw} and ${W} columns in vectors of 8`);
      const { mode, lo, hi } = gemmMode(y.dtype);
      const xs = x.dtype === 'int8' ? 1 : 0, ws = w.dtype === 'int8' ? 1 : 0;
      const xp = bytePointer(c, env, x, 'input x'), wp = bytePointer(c, env, w, 'weight'), yp = bytePointer(c, env, y, 'output');
      const wzp = wZp === undefined ? 0 : bytePointer(c, env, wZp, "w's zero point");
      const wzStep = wZp !== undefined && wZp.data.length > 1 ? 1 : 0;
      const bp = bias === undefined ? 0 : bytePointer(c, env, bias, 'bias');
      const w16 = env.scratch(bytes16(cout * K * 2));
      const planes = env.scratch(bytes16(cpg * Hp * Wp * 2));
      const multP = env.scratch(bytes16(cout * 4)), zyP = env.scratch(bytes16(cout * 4));
      const mult = new Float32Array(env.memory.buffer, multP, cout), zy = new Int32Array(env.memory.buffer, zyP, cout);
      const pack = env.exports['i8pack'] as I8Pack;
      const packW = (): void => pack(wp, ws, wzp, wzStep, cout, K, K, 1, K, w16);
      const requant: RequantState = { clamp: 1 };
      const start = int8ConvRunStart(c, op, packW, mode, mult, zy, cout, requant);
      const padPlane = env.exports['i8padPlane'] as I8PadPlane, convGroup = env.exports['i8convGroup'] as I8ConvGroup;
      const dwConv = env.exports['i8dwconv3x3'] as I8DwConv3x3;
      const eb = mode === 0 ? 4 : 1;
      const plane = Hp * Wp * 2, xPlane = H * W;
      return () => {
        const zx = start();
        for (let n = 0; n < batch; n++) {
          const yn = yp + n * cout * P * eb;
          if (dw3x3) {
            dwConv(xp + n * cin * xPlane, xs, zx, groups, opg, H, W, ph, pw, planes, Hp, Wp, w16, OH, OW, sh, sw, yn, mode, bp, multP, zyP, lo, hi, requant.clamp);
            continue;
          }
          for (let gi = 0; gi < groups; gi++) {
            for (let ic = 0; ic < cpg; ic++) {
              padPlane(xp + (n * cin + gi * cpg + ic) * xPlane, xs, zx, H, W, ph, pw, Hp, Wp, planes + ic * plane);
            }
            convGroup(planes, w16, gi * opg, opg, cpg, Hp, Wp, OH, OW, KH, KW, sh, sw, dh, dw, yn, mode, bp, multP, zyP, lo, hi);
          }
        }
      };
    },
  });
}

export const qLinearConvGroupedWasm = groupedInt8('QLinearConv');
export const convIntegerGroupedWasm = groupedInt8('ConvInteger');
