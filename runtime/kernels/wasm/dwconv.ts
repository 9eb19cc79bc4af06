// wasmsimd depthwise Conv, NCHW, 1-D and 2-D, fused bias + relu/clip, per image n: its own kernel
// module and wasm family (asm/dwconv.as, asm/dwplane.as), so a model without depthwise convs embeds
// none of it.
//
//   f32-conv-1x8-wasmsimd:  depthwise (group = Cin = Cout, one weight plane per channel), any
//                           kernel, pads, dilations, row stride; column stride 1 or 2.
//                           3×3, strides 1, pads 1, rows of 5+ columns: dwconv3x3s
//                           (asm/dwconv.as), column strips of 4 outputs walked down the
//                           plane, each input row's taps loaded once for three output rows;
//                           3×3, strides 2, top and left pads 1, bottom and right 0 or 1:
//                           dwconv3x3s2, the same strips, each input row's taps built once;
//                           other 3×3 with output rows of 8..14 columns (column stride 1 or 2):
//                           dwconv3x3c (asm/dwconv.as), 4 channels a block as the lanes,
//                           transposed into a zero-bordered interleaved block and back;
//                           other 3×3, strides 1, pads 1 (rows of 1–4 columns): dwconv3x3f
//                           (asm/dwconv.as), each plane one flat run of outputs, the taps
//                           that wrap to a neighbouring row masked;
//                           3×3 without dilation, left pad 1, right pad ≤ 1, column stride 2
//                           or rows of 24+ columns: dwconv3x3d (asm/dwconv.as), straight
//                           from the image, rows outside it read one zero row, at stride 1
//                           two output rows per pass;
//                           other 3×3 without dilation: dwconv3x3p (asm/dwplane.as), each plane
//                           copied into a zero-bordered scratch plane, every output row in vectors;
//                           other windows up to 7×7 with column stride 1 or 2: dwconvKxKp, the
//                           same padded plane, taps in loops;
//                           otherwise dwconv1x8: 8 output pixels per v128 pair, borders scalar.
//
// Anything else (depthwise with column stride > 2, 3-D) is refused by `supports`, so selection
// keeps the js kernel for it.

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_JS_KERNELS } from '../js/conv.js';
import { planConv } from '../common/conv-plan.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { convGroup, geometry2d, nodeGeometry, paddedPlane } from './conv-shape.js';
import { WASM_DEPTHWISE } from './modules/depthwise.wasm.js';

const NEEDS_DW = 'a float32 1-D or 2-D depthwise Conv (group = input channels = output channels) with column stride 1 or 2';

/** Depthwise: group = Cin = Cout (> 1), column stride 1 or 2. */
export function depthwiseConv(node: NodeShapes): boolean {
  const g = convGroup(node);
  const cin = node.inputs[0]?.shape[1];
  if (g === undefined || g === 1 || g !== cin || node.outputs[0]!.shape[1] !== cin) return false;
  const s = node.attrs['strides'];
  const sw = Array.isArray(s) ? s[s.length - 1] : 1;
  return sw === 1 || sw === 2;
}

type DwConv3x3p = (x: number, w: number, y: number, b: number, pad: number, c: number, h: number, wd: number, oh: number, ow: number,
  sh: number, sw: number, ph: number, pw: number, wp: number, lo: number, hi: number) => void;
type DwConv3x3d = (x: number, w: number, y: number, b: number, zero: number, c: number, h: number, wd: number, oh: number, ow: number,
  sh: number, sw: number, ph: number, lo: number, hi: number) => void;
type DwConv3x3s = (x: number, w: number, y: number, b: number, c: number, h: number, wd: number, lo: number, hi: number) => void;
type DwConv3x3s2 = (x: number, w: number, y: number, b: number, c: number, h: number, wd: number, oh: number, ow: number, lo: number, hi: number) => void;
type DwConv3x3f = (x: number, w: number, y: number, b: number, pad: number, pad2: number, mask: number, c: number, h: number, wd: number, lo: number, hi: number) => void;
type DwConv3x3c = (x: number, w: number, y: number, b: number, buf: number, out: number, c: number, h: number, wd: number, oh: number, ow: number,
  sh: number, sw: number, ph: number, pw: number, wp: number, lo: number, hi: number) => void;
type DwConvKxKp = (x: number, w: number, y: number, b: number, pad: number, c: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, wp: number, lo: number, hi: number) => void;
type DwConv = (x: number, w: number, y: number, b: number, c: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, lo: number, hi: number) => void;

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
 * dwconv3x3s / dwconv3x3s2's convs (asm/dwconv.as, column strips down the plane): 3×3, dilations 1,
 * explicit pads, and either strides 1 with pads 1 on every side on rows of at least DW_STRIP_MIN_W
 * columns (a strip's first tap vectors need 5 columns), or strides 2 with top and left pads 1 and
 * bottom and right pads 0 or 1 (any width). Measured against the paths they take over (the kernels
 * called straight from the module on mobilenet_v2_w050's shapes, CPU-time medians of 9–11
 * alternations, SIMD128, load 1.6–5.0): strides 1 16×112² 0.87× dwconv3x3d's time, 96×56² 0.83×,
 * 96×28² 0.69–0.75×, 192×14² 0.74× dwconv3x3c's, 480×7² 0.75× dwconv3x3f's; strides 2 48×112² 0.93×
 * dwconv3x3d's, 96×56² 0.80×, 96×28² 0.78× dwconv3x3c's, 288×14² 0.66× dwconv3x3d's. Same bits as
 * dwconv3x3d.
 */
export function stripDw3x3(KH: number, KW: number, sh: number, sw: number, pads: unknown, W: number): boolean {
  if (KH !== 3 || KW !== 3 || !Array.isArray(pads) || pads.length !== 4) return false;
  const [pt, pl, pb, pr] = pads as number[];
  if (sh === 1 && sw === 1) return pt === 1 && pl === 1 && pb === 1 && pr === 1 && W >= DW_STRIP_MIN_W;
  return sh === 2 && sw === 2 && pt === 1 && pl === 1 && (pb === 0 || pb === 1) && (pr === 0 || pr === 1);
}
export const DW_STRIP_MIN_W = 5;

/**
 * dwconv3x3f's convs (asm/dwconv.as, each plane one flat run of outputs): 3×3, strides and
 * dilations 1, explicit pads 1 on every side, rows of fewer than DW_FLAT_MAX_W columns (where
 * dwconv3x3d's and dwconv3x3p's row edges cost most).
 */
export function flatDw3x3(KH: number, KW: number, sh: number, sw: number, pads: unknown, W: number): boolean {
  return KH === 3 && KW === 3 && sh === 1 && sw === 1 && Array.isArray(pads) && pads.length === 4 && pads.every((v) => v === 1) && W < DW_FLAT_MAX_W;
}
/** dwconv3x3f now takes what dwconv3x3s cannot: rows of 1–4 columns (it took rows under 24 before the strips). */
export const DW_FLAT_MAX_W = DW_STRIP_MIN_W;
/** dwconv3x3f's scratch: the padded flat plane (W + 1 zeros each side, 4 floats of slack), then maskL and maskR (H·W + 4 each). */
const dwFlatPadFloats = (H: number, W: number): number => H * W + 2 * W + 8;
const dwFlatBytes = (H: number, W: number): number => 2 * f32Bytes(dwFlatPadFloats(H, W)) + f32Bytes(2 * (H * W + 4));

/**
 * dwconv3x3c's convs (asm/dwconv.as, 4 channels a block, lanes = channels): 3×3, dilation 1, column
 * stride 1 or 2, any pads and row stride, output rows of DW_BLOCKED_MIN_OW..DW_BLOCKED_MAX_OW columns.
 * Measured against the paths they replace (microbenchmark, CPU-time medians side by side, SIMD128,
 * load 6–8): 14² at strides 1 (dwconv3x3f) 0.85–0.90× the time, 28² at stride 2 (dwconv3x3d)
 * 0.67–0.98×; no gain on 7-column rows (1.0×: a row is 2 passes, the transposes are most of it) and
 * a loss on rows of 28+ at strides 1 (1.1–1.2×, dwconv3x3d's rows have few edge vectors there).
 */
export function blockedDw3x3(KH: number, KW: number, sw: number, OW: number): boolean {
  return KH === 3 && KW === 3 && (sw === 1 || sw === 2) && OW >= DW_BLOCKED_MIN_OW && OW <= DW_BLOCKED_MAX_OW;
}
export const DW_BLOCKED_MIN_OW = 8, DW_BLOCKED_MAX_OW = 14;
/** dwconv3x3c's scratch: the interleaved padded block (Hp × Wp pixels of 4 floats), then its outputs (OH·OW pixels of 4). */
function dwBlocked(H: number, W: number, OH: number, OW: number, sh: number, sw: number, ph: number, pw: number): { Hp: number; Wp: number; bytes: number } {
  const Hp = Math.max(H + ph, (OH - 1) * sh + 3), Wp = Math.max(W + pw, (OW - 1) * sw + 3);
  return { Hp, Wp, bytes: f32Bytes(4 * Hp * Wp) + f32Bytes(4 * OH * OW) };
}

/** dwconv3x3d's zero row (what an input row outside the image reads): W floats and the slack its vectors read past them. */
const dwZeroBytes = (W: number): number => f32Bytes(W + 16);

function dwConvWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DEPTHWISE],
    tile: '1x8', op: 'Conv', epilogue, needs: NEEDS_DW,
    js: CONV_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: depthwiseConv,
    scratchBytes(node) {
      const pads = node.attrs['pads'];
      if (node.inputs[0]!.shape.length !== 4) return 0;
      const g = nodeGeometry(node);
      const { KH, KW, H, W, OH, OW, sh, sw, dh, dw, ph, pw } = g;
      if (dh !== 1 || dw !== 1) return 0;
      if (!(KH === 3 && KW === 3) && !paddedKxK(KH, KW, sw)) return 0;
      if (stripDw3x3(KH, KW, sh, sw, pads, W)) return 0;
      if (blockedDw3x3(KH, KW, sw, OW)) return dwBlocked(H, W, OH, OW, sh, sw, ph, pw).bytes;
      if (flatDw3x3(KH, KW, sh, sw, pads, W)) return dwFlatBytes(H, W);
      if (directDw3x3(KH, KW, sw, Array.isArray(pads), pw, W, OW)) return dwZeroBytes(W);
      const { Hp, Wp } = paddedPlane(g);
      return dwPadBytes(Hp, Wp);
    },
    prepare(c, env) {
      const p = planConv(c, epilogue, 'dense');
      const { x, w, y, batch, cin, lo, hi } = p;
      const geo = geometry2d(p);
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geo;
      if (sw !== 1 && sw !== 2) c.fail(`unsupported node: the kernel needs ${NEEDS_DW}`);
      const xp = pointer(c, env, x, 'input 0'), wp = pointer(c, env, w, 'weight'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * p.inSize * 4, yStep = cin * p.outSize * 4;
      if (x.shape.length === 4 && dh === 1 && dw === 1 && stripDw3x3(KH, KW, sh, sw, c.ctx.attrs['pads'], W)) {
        // dwconv3x3s (strides 1) and dwconv3x3s2 (strides 2): no scratch
        if (sw === 2) {
          const dw3 = env.exports['dwconv3x3s2'] as DwConv3x3s2;
          return () => {
            for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, cin, H, W, OH, OW, lo, hi);
          };
        }
        const dw3 = env.exports['dwconv3x3s'] as DwConv3x3s;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, cin, H, W, lo, hi);
        };
      }
      if (x.shape.length === 4 && dh === 1 && dw === 1 && blockedDw3x3(KH, KW, sw, OW)) {
        // dwconv3x3c: the block's pads zeroed once here (the kernel writes only the image's pixels)
        const { Hp, Wp, bytes } = dwBlocked(H, W, OH, OW, sh, sw, ph, pw);
        const buf = env.scratch(bytes), out = buf + f32Bytes(4 * Hp * Wp);
        new Float32Array(env.memory.buffer, buf, 4 * Hp * Wp).fill(0);
        const dw3 = env.exports['dwconv3x3c'] as DwConv3x3c;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, buf, out, cin, H, W, OH, OW, sh, sw, ph, pw, Wp, lo, hi);
        };
      }
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
        const { Hp, Wp } = paddedPlane(geo);
        const pad = env.scratch(dwPadBytes(Hp, Wp));
        new Float32Array(env.memory.buffer, pad, dwPadBytes(Hp, Wp) / 4).fill(0);
        const dw3 = env.exports['dwconv3x3p'] as DwConv3x3p;
        return () => {
          for (let n = 0; n < batch; n++) dw3(xp + n * xStep, wp, yp + n * yStep, bp, pad, cin, H, W, OH, OW, sh, sw, ph, pw, Wp, lo, hi);
        };
      }
      if (x.shape.length === 4 && dh === 1 && dw === 1 && paddedKxK(KH, KW, sw)) {
        // dwconvKxKp: as above, any window up to 7×7
        const { Hp, Wp } = paddedPlane(geo);
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

export const DWCONV_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(dwConvWasm);
