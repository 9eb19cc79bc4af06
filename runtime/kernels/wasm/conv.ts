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
//                                      copy of the image through a per-tap offset table; of those, the
//                                      RGB 7×7 and 8×8 stride-2 stems (the ResNets'): convWinograd
//                                      (asm/winograd.as), F(3×3, 4×4) over the same copy.
//   (depthwise convs: dwconv.ts, the depthwise wasm family; sparse convs: conv-csr.ts)
//
// Anything else (grouped, 3-D) is refused by `supports`, so selection keeps the js (or the
// depthwise) kernel for it.

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_JS_KERNELS } from '../js/conv.js';
import { planConv } from '../common/conv-plan.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { convGroup, geometry2d, isPointwise, nodeGeometry, paddedPlane, pointwiseConv } from './conv-shape.js';
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
type ConvWinograd = (x: number, u: number, y: number, b: number, pad: number, r: number, v: number, m: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, s: number, ph: number, pw: number, hp: number, wpad: number, twp: number, lo: number, hi: number) => void;
/**
 * convPadded's convs: at most 4 input channels (image stems), column stride 1 or 2. Past a few
 * channels each pixel's taps span many planes and the im2col tile (one contiguous row per tap)
 * reads better; stems are where im2col's tile build costs more than its product.
 */
export const paddedDirect = (cin: number, sw: number): boolean => cin <= 4 && (sw === 1 || sw === 2);

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

/**
 * convWinograd's convs (asm/winograd.as): convPadded's with 3 or 4 input channels (RGB stems), strides 2,
 * no dilation, a window 4×4 per stride phase (7×7 and 8×8), outputs at least 24 wide and 3 tall.
 * There F(3×3, 4×4) spends 36 multiply-adds per 3×3 tile and phase channel where convPadded spends
 * 9·KH·KW/4: resnet10_w32's 3 → 32 7×7/2 stem at 224² runs 1.6× faster on SIMD128 and 1.3× with
 * relaxed SIMD. Its input and output transforms do not shrink with the product: with 1 or 2 input
 * channels (4 or 8 phase channels), or rows of under 8 tiles (its product runs 8 tiles at a time),
 * it measured 0.8–1.0× convPadded's time with relaxed SIMD (docs/kernels.md).
 */
export const winogradStem = (g: { cin: number; KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; OH: number; OW: number }): boolean =>
  paddedDirect(g.cin, g.sw) && g.cin >= 3 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1
  && Math.ceil(g.KH / 2) === 4 && Math.ceil(g.KW / 2) === 4 && g.OW >= 24 && g.OH >= 3;

/** convWinograd's scratch in floats: the padded copy (its rows and columns cover every tile's 6×6 phase window), R, V, M and U. */
function winogradDims(g: { cin: number; cout: number; H: number; W: number; OH: number; OW: number; sh: number; ph: number; pw: number }) {
  const s = g.sh, TWp = Math.ceil(Math.ceil(g.OW / 3) / 8) * 8, Wv = 3 * TWp + 4, Cq = g.cin * s * s;
  const Hp = Math.max(g.H + g.ph, s * (3 * Math.ceil(g.OH / 3) + 3)), Wp0 = Math.max(g.W + g.pw, s * Wv);
  const Wp = s === 2 ? Wp0 + (Wp0 & 1) : Wp0;
  const floats = { pad: g.cin * Hp * Wp, r: 6 * Cq * Wv, v: 36 * Cq * TWp, m: 36 * 4 * TWp + 120, u: 36 * Math.ceil(g.cout / 4) * 4 * Cq };
  return { TWp, Hp, Wp, Cq, floats };
}

// F(3×3, 4×4)'s filter transform G (6×4, points 0, 1, −1, 2, −2, ∞; asm/winograd.as has Bᵀ and Aᵀ)
const WINOGRAD_G = [[1 / 4, 0, 0, 0], [-1 / 6, -1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6, 1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3], [1 / 24, -1 / 12, 1 / 6, -1 / 3], [0, 0, 0, 1]] as const;

/** U[ξ][n/4][c'][n mod 4] = (G w'[n][c'] Gᵀ)[ξ] in float64, w' the stride-phase 4×4 windows of W (zero rows for n ≥ N). */
export function winogradWeights(w: Float32Array, N: number, cin: number, KH: number, KW: number, s: number): Float32Array {
  const Cq = cin * s * s, NB = Math.ceil(N / 4), out = new Float32Array(36 * NB * Cq * 4);
  const g = new Float64Array(16), gg = new Float64Array(24);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < cin; c++) {
      for (let a = 0; a < s; a++) {
        for (let b = 0; b < s; b++) {
          for (let i = 0; i < 4; i++) {
            for (let j = 0; j < 4; j++) {
              const kh = s * i + a, kw = s * j + b;
              g[i * 4 + j] = kh < KH && kw < KW ? w[((n * cin + c) * KH + kh) * KW + kw]! : 0;
            }
          }
          for (let r = 0; r < 6; r++) for (let j = 0; j < 4; j++) gg[r * 4 + j] = WINOGRAD_G[r]!.reduce((acc, gi, i) => acc + gi * g[i * 4 + j]!, 0);
          const cq = (c * s + a) * s + b;
          for (let r = 0; r < 6; r++) {
            for (let q = 0; q < 6; q++) {
              const u = WINOGRAD_G[q]!.reduce((acc, gj, j) => acc + gj * gg[r * 4 + j]!, 0);
              out[(((r * 6 + q) * NB + (n >> 2)) * Cq + cq) * 4 + (n & 3)] = u;
            }
          }
        }
      }
    }
  }
  return out;
}

/** Scratch of convWinograd or convPadded (padded image and tap offsets) for a group-1 k×k Conv that runs one, else undefined. */
function paddedDirectBytes(node: NodeShapes): number | undefined {
  const g = nodeGeometry(node);
  if (!paddedDirect(g.cin, g.sw)) return undefined;
  if (winogradStem(g)) return Object.values(winogradDims(g).floats).reduce((a, f) => a + f32Bytes(f), 0);
  const { Hp, Wp } = paddedPlane(g);
  const k = g.cin * g.KH * g.KW;
  return f32Bytes(g.cin * Hp * Wp) + f32Bytes(k) + f32Bytes(k * g.cout);
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
      if (direct !== undefined) return direct;
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
      const geo = geometry2d(p);
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geo;
      if (winogradStem({ cin, ...geo })) {
        // convWinograd: convPadded's copy (borders zeroed once here), U = G w' Gᵀ packed once here
        const { TWp, Hp, Wp, floats } = winogradDims({ cin, cout, ...geo });
        const pad = env.scratch(f32Bytes(floats.pad));
        new Float32Array(env.memory.buffer, pad, floats.pad).fill(0);
        const r = env.scratch(f32Bytes(floats.r)), v = env.scratch(f32Bytes(floats.v)), m = env.scratch(f32Bytes(floats.m));
        const u = env.scratch(f32Bytes(floats.u));
        new Float32Array(env.memory.buffer, u, floats.u).set(winogradWeights(p.w.data as Float32Array, cout, cin, KH, KW, sh));
        const conv = env.exports['convWinograd'] as ConvWinograd;
        return () => {
          for (let n = 0; n < batch; n++) conv(xp + n * xStep, u, yp + n * yStep, bp, pad, r, v, m, cout, cin, H, W, OH, OW, sh, ph, pw, Hp, Wp, TWp, lo, hi);
        };
      }
      if (paddedDirect(cin, sw)) {
        // convPadded: the image into a zero-bordered copy (borders zeroed once here), a byte offset per tap
        const { Hp, Wp } = paddedPlane(geo);
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
