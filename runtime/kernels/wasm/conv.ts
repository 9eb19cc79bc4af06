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
//   (depthwise convs: dwconv.ts, the depthwise wasm family; sparse convs: conv-csr.ts)
//
// Anything else (grouped, 3-D) is refused by `supports`, so selection keeps the js (or the
// depthwise) kernel for it.

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_JS_KERNELS } from '../js/conv.js';
import { planConv } from '../common/conv-plan.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { convGroup, geometry2d, isPointwise, pointwiseConv } from './conv-shape.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

const NEEDS_DENSE = 'a float32 1-D or 2-D Conv with group 1';

/** Group-1 Conv of any window (1×1 pointwise included). */
export function denseConv(node: NodeShapes): boolean {
  return convGroup(node) === 1;
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

export const CONV_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convWasm);
