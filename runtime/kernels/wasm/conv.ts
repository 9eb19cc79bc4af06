// wasmsimd Conv, NCHW, 1-D and 2-D, fused bias + relu/clip, per image n:
//
//   dense  f32-conv-4x8-wasmsimd:      group 1, any kernel, pads, strides, dilations.
//                                      1×1 / stride 1 / no pads: Y_n[Cout][P] = W[Cout][Cin] · X_n[Cin][P],
//                                      gemm4x8p (asm/dense.as) over W's row tiles packed k-major (packW4);
//                                      otherwise convIm2col: PT output pixels at a time, im2col into
//                                      scratch col[Cin·KH·KW][PT] then 4×8 register tiles (rows4p) over
//                                      W's row tiles packed k-major into scratch at prepare (packW4);
//                                      up to 4 input channels (stems) with column stride 1 or 2:
//                                      convPadded (asm/convpadded.as), taps read from a zero-padded
//                                      copy of the image through a per-tap offset table.
//   dense  f32-conv-1x8-wasmsimd:      depthwise (group = Cin = Cout, one weight plane per channel), any
//                                      kernel, pads, dilations, row stride; column stride 1 or 2.
//                                      3×3, strides 1, pads 1, rows under 24 columns: dwconv3x3f
//                                      (asm/dwconv.as), each plane one flat run of outputs, the taps
//                                      that wrap to a neighbouring row masked;
//                                      3×3 without dilation, left pad 1, right pad ≤ 1, column stride 2
//                                      or rows of 24+ columns: dwconv3x3d (asm/dwconv.as), straight
//                                      from the image, rows outside it read one zero row, at stride 1
//                                      two output rows per pass;
//                                      other 3×3 without dilation: dwconv3x3p, each plane copied into a
//                                      zero-bordered scratch plane, every output row in vectors;
//                                      other windows up to 7×7 with column stride 1 or 2: dwconvKxKp, the
//                                      same padded plane, taps in loops;
//                                      otherwise dwconv1x8: 8 output pixels per v128 pair, borders scalar.
//   (sparse convs: conv-csr.ts)
//
// Anything else (grouped but not depthwise, depthwise with column stride > 2, 3-D) is refused by
// `supports`, so selection keeps the js kernel for it.

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_JS_KERNELS } from '../js/conv.js';
import { planConv } from '../common/conv-plan.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { geometry2d, isPointwise, pointwiseConv } from './conv-shape.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

const NEEDS_DENSE = 'a float32 1-D or 2-D Conv with group 1';
const NEEDS_DW = 'a float32 1-D or 2-D depthwise Conv (group = input channels = output channels) with column stride 1 or 2';

/** Float32, rank 3 or 4 (1-D, 2-D), consistent batch/channel shapes; `group` returned when sane. */
function convShape(node: NodeShapes): number | undefined {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32' || w.packed) return undefined;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return undefined;
  const g = node.attrs['group'] ?? 1;
  if (typeof g !== 'number' || g < 1 || x.shape[1]! % g !== 0 || w.shape[1]! * g !== x.shape[1]) return undefined;
  if (y.shape[0] !== x.shape[0] || y.shape[1] !== w.shape[0]) return undefined;
  return g;
}

/** Group-1 Conv of any window (1×1 pointwise included). */
export function denseConv(node: NodeShapes): boolean {
  return convShape(node) === 1;
}

/** Depthwise: group = Cin = Cout (> 1), column stride 1 or 2. */
export function depthwiseConv(node: NodeShapes): boolean {
  const g = convShape(node);
  const cin = node.inputs[0]?.shape[1];
  if (g === undefined || g === 1 || g !== cin || node.outputs[0]!.shape[1] !== cin) return false;
  const s = node.attrs['strides'];
  const sw = Array.isArray(s) ? s[s.length - 1] : 1;
  return sw === 1 || sw === 2;
}

/**
 * Output pixels per im2col tile: col[K][PT] about 256 KiB (L2-resident; W streams once per tile,
 * and 256 KiB measured 5–15% faster than 64 KiB on resnet10's 3×3 shapes), a multiple of 8, no
 * more than the image needs.
 */
export function im2colTile(k: number, p: number): number {
  const fit = Math.max(8, Math.floor(65536 / Math.max(k, 1) / 8) * 8);
  return Math.min(fit, Math.ceil(p / 8) * 8);
}

const spatial = (shape: readonly number[]): number => shape.slice(2).reduce((a, d) => a * d, 1);

type ConvIm2col = (x: number, w: number, wp: number, y: number, b: number, col: number, n: number, cin: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, pt: number, lo: number, hi: number) => void;
type Gemm4x8p = (w: number, wp: number, x: number, y: number, b: number, n: number, k: number, p: number, lo: number, hi: number) => void;
type PackW4 = (w: number, dst: number, n: number, k: number) => void;
type ConvPadded = (x: number, w: number, wp: number, y: number, b: number, pad: number, offs: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, k: number, sh: number, sw: number, ph: number, pw: number, hp: number, wpad: number, lo: number, hi: number) => void;
type DwConv3x3p = (x: number, w: number, y: number, b: number, pad: number, c: number, h: number, wd: number, oh: number, ow: number,
  sh: number, sw: number, ph: number, pw: number, wp: number, lo: number, hi: number) => void;
type DwConv3x3d = (x: number, w: number, y: number, b: number, zero: number, c: number, h: number, wd: number, oh: number, ow: number,
  sh: number, sw: number, ph: number, lo: number, hi: number) => void;
type DwConv3x3f = (x: number, w: number, y: number, b: number, pad: number, pad2: number, mask: number, c: number, h: number, wd: number, lo: number, hi: number) => void;
type DwConvKxKp = (x: number, w: number, y: number, b: number, pad: number, c: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, wp: number, lo: number, hi: number) => void;
type DwConv = (x: number, w: number, y: number, b: number, c: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, lo: number, hi: number) => void;

/**
 * convPadded's convs: at most 4 input channels (image stems), column stride 1 or 2. Past a few
 * channels each pixel's taps span many planes and the im2col tile (one contiguous row per tap)
 * reads better; stems are where im2col's tile build costs more than its product.
 */
export const paddedDirect = (cin: number, sw: number): boolean => cin <= 4 && (sw === 1 || sw === 2);

/** convPadded's image copy: rows and columns the image, its begin pads and every tap of every output (Wp even at column stride 2). */
function directPadded(H: number, W: number, OH: number, OW: number, KH: number, KW: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number): { Hp: number; Wp: number } {
  const Wp = Math.max(W + pw, (OW - 1) * sw + (KW - 1) * dw + 1);
  return { Hp: Math.max(H + ph, (OH - 1) * sh + (KH - 1) * dh + 1), Wp: sw === 2 ? Wp + (Wp & 1) : Wp };
}

/** Byte offset of tap (ic, kh, kw) for output column 0 from an output row's window origin in the padded copy (rows deinterleaved at column stride 2). */
function tapOffsets(cin: number, KH: number, KW: number, dh: number, dw: number, sw: number, Hp: number, Wp: number): Int32Array {
  const out = new Int32Array(cin * KH * KW);
  let r = 0;
  for (let ic = 0; ic < cin; ic++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const c = kw * dw, row = (ic * Hp + kh * dh) * Wp;
        // column stride 2: padded column 2·ow + c is in the even half (c even) or the odd one, at ow + ⌊c/2⌋
        out[r++] = 4 * (sw === 1 ? row + c : row + (c & 1) * (Wp >> 1) + (c >> 1));
      }
    }
  }
  return out;
}

/** Scratch of convPadded (padded image and tap offsets) for a group-1 k×k Conv it runs, else undefined. */
function paddedDirectBytes(node: NodeShapes): number | undefined {
  const [x, w] = node.inputs, y = node.outputs[0]!;
  const r = x!.shape.length, two = r === 4;
  const attr = (name: string, def: number): number[] => {
    const v = node.attrs[name];
    return Array.isArray(v) ? (v as number[]) : two ? [def, def] : [def];
  };
  const s = attr('strides', 1), d = attr('dilations', 1);
  const sw = s[s.length - 1]!;
  if (!paddedDirect(x!.shape[1]!, sw)) return undefined;
  const sp = (t: readonly number[]): [number, number] => (two ? [t[2]!, t[3]!] : [1, t[2]!]);
  const [H, W] = sp(x!.shape), [OH, OW] = sp(y.shape), [KH, KW] = sp(w!.shape);
  const [sh, dh, dw] = two ? [s[0]!, d[0]!, d[1]!] : [1, 1, d[0]!];
  // explicit begin pads, else (auto_pad) at most the total padding the output implies
  const pads = node.attrs['pads'];
  const ph = Array.isArray(pads) ? (two ? pads[0] as number : 0) : Math.max(0, (OH - 1) * sh + (KH - 1) * dh + 1 - H);
  const pw = Array.isArray(pads) ? pads[two ? 1 : 0] as number : Math.max(0, (OW - 1) * sw + (KW - 1) * dw + 1 - W);
  const { Hp, Wp } = directPadded(H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw);
  const k = x!.shape[1]! * KH * KW;
  return f32Bytes(x!.shape[1]! * Hp * Wp) + f32Bytes(k);
}

function convWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '4x8', op: 'Conv', epilogue, needs: NEEDS_DENSE,
    js: CONV_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: denseConv,
    scratchBytes(node) {
      const w = node.inputs[1]!.shape, k = w.slice(1).reduce((a, d) => a * d, 1);
      if (pointwiseConv(node)) return f32Bytes(k * w[0]!);
      const direct = paddedDirectBytes(node);
      if (direct !== undefined) return direct + f32Bytes(k * w[0]!);
      return f32Bytes(k * im2colTile(k, spatial(node.outputs[0]!.shape))) + f32Bytes(k * node.inputs[1]!.shape[0]!);
    },
    prepare(c, env) {
      const p = planConv(c, epilogue, 'dense');
      const { x, w, y, batch, cin, cout, lo, hi } = p;
      const xp = pointer(c, env, x, 'input 0'), wp = pointer(c, env, w, 'weight'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * p.inSize * 4, yStep = cout * p.outSize * 4;
      if (isPointwise(p)) {
        const gemm = env.exports['gemm4x8p'] as Gemm4x8p;
        const packed = env.scratch(cin * cout * 4);
        (env.exports['packW4'] as PackW4)(wp, packed, cout, cin);
        const P = p.outSize;
        return () => {
          for (let n = 0; n < batch; n++) gemm(wp, packed, xp + n * xStep, yp + n * yStep, bp, cout, cin, P, lo, hi);
        };
      }
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d(p);
      if (paddedDirect(cin, sw)) {
        // convPadded: the image into a zero-bordered copy (borders zeroed once here), a byte offset per tap
        const { Hp, Wp } = directPadded(H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw);
        const padBytes = f32Bytes(cin * Hp * Wp), k = cin * KH * KW;
        const pad = env.scratch(padBytes);
        new Float32Array(env.memory.buffer, pad, padBytes / 4).fill(0);
        const offs = env.scratch(k * 4);
        new Int32Array(env.memory.buffer, offs, k).set(tapOffsets(cin, KH, KW, dh, dw, sw, Hp, Wp));
        const packed = env.scratch(k * cout * 4);
        (env.exports['packW4'] as PackW4)(wp, packed, cout, k);
        const conv = env.exports['convPadded'] as ConvPadded;
        return () => {
          for (let n = 0; n < batch; n++) conv(xp + n * xStep, wp, packed, yp + n * yStep, bp, pad, offs, cout, cin, H, W, OH, OW, k, sh, sw, ph, pw, Hp, Wp, lo, hi);
        };
      }
      const k = cin * p.taps, pt = im2colTile(k, p.outSize);
      const col = env.scratch(k * pt * 4);
      const conv = env.exports['convIm2col'] as ConvIm2col;
      const packed = env.scratch(k * cout * 4);
      (env.exports['packW4'] as PackW4)(wp, packed, cout, k);
      return () => {
        for (let n = 0; n < batch; n++) conv(xp + n * xStep, wp, packed, yp + n * yStep, bp, col, cout, cin, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, pt, lo, hi);
      };
    },
  });
}

/** The padded plane of dwconv3x3p / dwconvKxKp: rows and columns the image, its begin pads and whatever the windows read past it. */
function dwPadded(H: number, W: number, OH: number, OW: number, sh: number, sw: number, ph: number, pw: number, KH = 3, KW = 3): { Hp: number; Wp: number } {
  const Wp = Math.max(W + pw, (OW - 1) * sw + KW);
  // column stride 2 stores each row as even | odd halves: Wp even
  return { Hp: Math.max(H + ph, (OH - 1) * sh + KH), Wp: sw === 2 ? Wp + (Wp & 1) : Wp };
}
/** Padded plane plus slack for the reads of a row's last vectors past the plane (8 lanes at column stride 2). */
const dwPadBytes = (Hp: number, Wp: number): number => f32Bytes(Hp * Wp + 32);

/** dwconvKxKp's windows: column stride 1 or 2, up to 7×7 (the padded plane's slack), other than 3×3 (dwconv3x3p's). */
const paddedKxK = (KH: number, KW: number, sw: number): boolean => (sw === 1 || sw === 2) && KH <= 7 && KW <= 7 && !(KH === 3 && KW === 3);

/**
 * dwconv3x3d's convs (asm/dwconv.as, read straight from the image): 3×3, dilation 1, explicit pads
 * (not auto_pad) with left pad 1 and right pad at most 1; column stride 2, or 1 on rows of at least
 * DW_DIRECT_MIN_W columns; else dwconv3x3p. Measured on mobilenet_v2_w050's depthwise shapes
 * (CPU-time medians side by side, load 14–15): stride 2 direct 0.69–0.83× the padded plane's time at
 * every size (its deinterleaving copy was half of it); stride 1 direct 0.85–0.96× on rows of 28–112,
 * but 1.1× on 14 and 1.5× on 7, where a row's edge vectors (lanes shifted in, zeros past the
 * row) are most of its vectors.
 */
export function directDw3x3(KH: number, KW: number, sw: number, explicitPads: boolean, pw: number, W: number, OW: number): boolean {
  return KH === 3 && KW === 3 && (sw === 2 || (sw === 1 && W >= DW_DIRECT_MIN_W)) && explicitPads && pw === 1 && (OW - 1) * sw + 1 <= W;
}
export const DW_DIRECT_MIN_W = 24;

/**
 * dwconv3x3f's convs (asm/dwconv.as, each plane one flat run of outputs): 3×3, strides and
 * dilations 1, explicit pads 1 on every side, rows of fewer than DW_FLAT_MAX_W columns (where
 * dwconv3x3d's and dwconv3x3p's row edges cost most).
 */
export function flatDw3x3(KH: number, KW: number, sh: number, sw: number, pads: unknown, W: number): boolean {
  return KH === 3 && KW === 3 && sh === 1 && sw === 1 && Array.isArray(pads) && pads.length === 4 && pads.every((v) => v === 1) && W < DW_FLAT_MAX_W;
}
export const DW_FLAT_MAX_W = 24;
/** dwconv3x3f's scratch: the padded flat plane (W + 1 zeros each side, 4 floats of slack), then maskL and maskR (H·W + 4 each). */
const dwFlatPadFloats = (H: number, W: number): number => H * W + 2 * W + 8;
const dwFlatBytes = (H: number, W: number): number => 2 * f32Bytes(dwFlatPadFloats(H, W)) + f32Bytes(2 * (H * W + 4));

/** dwconv3x3d's zero row (what an input row outside the image reads): W floats and the slack its vectors read past them. */
const dwZeroBytes = (W: number): number => f32Bytes(W + 16);

function dwConvWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '1x8', op: 'Conv', epilogue, needs: NEEDS_DW,
    js: CONV_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: depthwiseConv,
    scratchBytes(node) {
      const [x, w] = node.inputs, y = node.outputs[0]!;
      const s = node.attrs['strides'], pads = node.attrs['pads'];
      if (x!.shape.length !== 4) return 0;
      const d = node.attrs['dilations'];
      if (Array.isArray(d) && d.some((v) => v !== 1)) return 0;
      const [KH, KW] = [w!.shape[2]!, w!.shape[3]!];
      const [H, W] = [x!.shape[2]!, x!.shape[3]!], [OH, OW] = [y.shape[2]!, y.shape[3]!];
      const [sh, sw] = Array.isArray(s) ? [s[0] as number, s[1] as number] : [1, 1];
      if (!(KH === 3 && KW === 3) && !paddedKxK(KH, KW, sw)) return 0;
      // pads may come from auto_pad: the begin pads bound by the total padding the output implies
      const ph = Array.isArray(pads) ? pads[0] as number : Math.max(0, (OH - 1) * sh + KH - H);
      const pw = Array.isArray(pads) ? pads[1] as number : Math.max(0, (OW - 1) * sw + KW - W);
      if (flatDw3x3(KH, KW, sh, sw, pads, W)) return dwFlatBytes(H, W);
      if (directDw3x3(KH, KW, sw, Array.isArray(pads), pw, W, OW)) return dwZeroBytes(W);
      const { Hp, Wp } = dwPadded(H, W, OH, OW, sh, sw, ph, pw, KH, KW);
      return dwPadBytes(Hp, Wp);
    },
    prepare(c, env) {
      const p = planConv(c, epilogue, 'dense');
      const { x, w, y, batch, cin, lo, hi } = p;
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d(p);
      if (sw !== 1 && sw !== 2) c.fail(`unsupported node: the kernel needs ${NEEDS_DW}`);
      const xp = pointer(c, env, x, 'input 0'), wp = pointer(c, env, w, 'weight'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * p.inSize * 4, yStep = cin * p.outSize * 4;
      if (x.shape.length === 4 && dh === 1 && dw === 1 && flatDw3x3(KH, KW, sh, sw, c.ctx.attrs['pads'], W)) {
        // dwconv3x3f: zero rows around the flat plane and the column masks, written once here
        const padFloats = dwFlatPadFloats(H, W), P = H * W;
        const pad = env.scratch(dwFlatBytes(H, W)), pad2 = pad + f32Bytes(padFloats), mask = pad2 + f32Bytes(padFloats);
        new Float32Array(env.memory.buffer, pad, (mask - pad) / 4).fill(0);
        const masks = new Int32Array(env.memory.buffer, mask, 2 * (P + 4));
        for (let i = 0; i < P; i++) {
          masks[i] = i % W === 0 ? 0 : -1;
          masks[P + 4 + i] = i % W === W - 1 ? 0 : -1;
        }
        const dw3 = env.exports['dwconv3x3f'] as DwConv3x3f;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, pad, pad2, mask, cin, H, W, lo, hi);
        };
      }
      if (x.shape.length === 4 && dh === 1 && dw === 1 && directDw3x3(KH, KW, sw, Array.isArray(c.ctx.attrs['pads']), pw, W, OW)) {
        // dwconv3x3d: straight from the image; rows outside it read one zero row, zeroed once here
        const zero = env.scratch(dwZeroBytes(W));
        new Float32Array(env.memory.buffer, zero, dwZeroBytes(W) / 4).fill(0);
        const dw3 = env.exports['dwconv3x3d'] as DwConv3x3d;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, zero, cin, H, W, OH, OW, sh, sw, ph, lo, hi);
        };
      }
      if (KH === 3 && KW === 3 && dh === 1 && dw === 1) {
        // dwconv3x3p: one zero-bordered plane in scratch, borders zeroed once here
        const { Hp, Wp } = dwPadded(H, W, OH, OW, sh, sw, ph, pw);
        const pad = env.scratch(dwPadBytes(Hp, Wp));
        new Float32Array(env.memory.buffer, pad, dwPadBytes(Hp, Wp) / 4).fill(0);
        const dw3 = env.exports['dwconv3x3p'] as DwConv3x3p;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, pad, cin, H, W, OH, OW, sh, sw, ph, pw, Wp, lo, hi);
        };
      }
      if (x.shape.length === 4 && dh === 1 && dw === 1 && paddedKxK(KH, KW, sw)) {
        // dwconvKxKp: as above, any window up to 7×7
        const { Hp, Wp } = dwPadded(H, W, OH, OW, sh, sw, ph, pw, KH, KW);
        const pad = env.scratch(dwPadBytes(Hp, Wp));
        new Float32Array(env.memory.buffer, pad, dwPadBytes(Hp, Wp) / 4).fill(0);
        const dwk = env.exports['dwconvKxKp'] as DwConvKxKp;
        return () => {
          for (let n = 0; n < batch; n++) dwk(xp + n * xStep, wp, yp + n * yStep, bp, pad, cin, H, W, OH, OW, KH, KW, sh, sw, ph, pw, Wp, lo, hi);
        };
      }
      const dwconv = env.exports['dwconv1x8'] as DwConv;
      return () => {
        for (let n = 0; n < batch; n++) dwconv(xp + n * xStep, wp, yp + n * yStep, bp, cin, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, lo, hi);
      };
    },
  });
}

export const CONV_WASM_KERNELS: readonly Kernel[] = [...EPILOGUES.map(convWasm), ...EPILOGUES.map(dwConvWasm)];
