// wasmsimd Conv from a standard (per-row) N:M weight, NCHW, 1-D and 2-D, group 1, any window,
// pads, strides, dilations, fused bias + relu/clip, per image n (asm/nm.as):
//
//   f32-convnm-24x1-wasmsimd (and -relu, -clip): the N:M bit stream decoded once at bind into
//   S = (K/m)·n (value, byte offset) slots per row; one broadcast weight × 24 pixels per step.
//     1×1 / stride 1 / no pads:  spmmNm24 over X itself, column ci at byte ci·P·4
//     otherwise, the layout computing fewer pixel-slots (nmConvLayout):
//       phased:  X split by stride phase into zero-padded planes xq[Cin·sh·sw][Hq][Wq], virtual
//                pixels oh·Wq + ow, R rows per tile t[Cout][R·Wq], valid columns copied to Y
//       im2col:  im2col tiles col[K][PT] (rows (ci, kh, kw)), spmm straight into Y
//
//   scratch = slots[rows·S] (8 bytes) | xq, t (phased) or col (im2col)

import type { Kernel, NodeShapes } from '../kernel.js';
import type { Checker } from '../common/define.js';
import type { WasmEnv } from '../kernel.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { rowEntries } from '../ref/weight-sparse.js';
import { f32Bytes, nodeShapesOf, pointer, wasmKernel } from './common.js';
import { phasedDims } from './conv-csr.js';
import { geometry2d, pointwiseConv } from './conv.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1 and an N:M weight';

/** Float32 X and Y of rank 3 or 4, group 1, an N:M (or not yet packed) weight of matching channels. */
export function nmConv(node: NodeShapes): boolean {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
  if (w.packed !== undefined && w.packed.format !== 'nm') return false;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return false;
  if ((node.attrs['group'] ?? 1) !== 1 || w.shape[1] !== x.shape[1]) return false;
  return y.shape[0] === x.shape[0] && y.shape[1] === w.shape[0];
}

/** Slots per row of an N:M weight (every row holds cols/m groups of n). */
export const nmSlotsPerRow = (p: Extract<PackedWeight, { format: 'nm' }>): number => (p.cols / p.m) * p.n;

/** Scratch bytes of the staged slots. */
const stagedNmBytes = (p: PackedWeight | undefined): number => p?.format === 'nm' ? f32Bytes(2 * p.rows * nmSlotsPerRow(p)) : 0;

/**
 * Copies an N:M weight into scratch as spmmNm24 reads it: per row its S slots in order, each its
 * value (f32) and the byte offset of the activation row it multiplies (u32, `offset(col)`).
 */
export function stageNm(c: Checker, env: WasmEnv, packed: PackedWeight, offset: (col: number) => number): { slots: number; S: number } {
  if (packed.format !== 'nm') c.fail(`input 1 is packed as ${packed.format}, this kernel reads nm`);
  const { col, values } = rowEntries(c, packed);
  const total = col.length;
  const slots = env.scratch(total * 8);
  const f = new Float32Array(env.memory.buffer, slots, 2 * total), u = new Uint32Array(env.memory.buffer, slots, 2 * total);
  for (let e = 0; e < total; e++) { f[2 * e] = values[e]!; u[2 * e + 1] = offset(col[e]!); }
  return { slots, S: nmSlotsPerRow(packed) };
}

/** im2col pixels per tile: K rows of PT floats about 512 KiB, at least 24 (one block), at most P. */
const im2colTilePixels = (K: number, P: number): number => Math.min(P, Math.max(24, Math.floor(131072 / K)));

/**
 * The k×k layout: phased computes (rows − 1)·Wq + OW virtual pixels per tile of R rows, plus one
 * copy of X and of Y; im2col computes P pixels and copies K·P floats. Both rounded to the 24-pixel
 * blocks (a tail costs about one block); a copied float priced as one multiply-add slot over 4 rows.
 */
export function nmConvLayout(node: NodeShapes): 'pointwise' | 'phased' | 'im2col' {
  if (pointwiseConv(node)) return 'pointwise';
  const w = node.inputs[1]!, y = node.outputs[0]!.shape;
  const N = y[1]!, K = w.shape.slice(1).reduce((a, b) => a * b, 1);
  const p = w.packed;
  const S = p?.format === 'nm' ? nmSlotsPerRow(p) : K / 2;
  const OH = y.length === 4 ? y[2]! : 1, OW = y[y.length - 1]!, P = OH * OW;
  const blocks = (n: number): number => Math.ceil(n / 24) * 24;
  const d = phasedDims(node);
  let phased = 0;
  for (let oh0 = 0; oh0 < OH; oh0 += d.R) phased += blocks((Math.min(d.R, OH - oh0) - 1) * d.Wq + OW);
  const PT = im2colTilePixels(K, P);
  let im2col = 0;
  for (let p0 = 0; p0 < P; p0 += PT) im2col += blocks(Math.min(PT, P - p0));
  const phasedCost = N * S * phased + (d.xqFloats + N * P) * 4, im2colCost = N * S * im2col + K * P * 4;
  return phasedCost <= im2colCost ? 'phased' : 'im2col';
}

type ConvNmPhased = (x: number, w: number, S: number, y: number, b: number, xq: number, t: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, sh: number, sw: number, ph: number, pw: number, hq: number, wq: number, r: number, used: number, lo: number, hi: number) => void;
type ConvNmIm2col = (x: number, w: number, S: number, y: number, b: number, col: number, n: number, cin: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, pt: number, lo: number, hi: number) => void;
export type SpmmNm24 = (w: number, S: number, x: number, y: number, b: number, n: number, p: number, rowY: number, lo: number, hi: number) => void;

function convNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    tile: '24x1', op: 'Conv', epilogue, format: 'nm', needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: nmConv,
    scratchBytes(node) {
      const staged = stagedNmBytes(node.inputs[1]?.packed);
      const layout = nmConvLayout(node);
      if (layout === 'pointwise') return staged;
      if (layout === 'phased') {
        const d = phasedDims(node);
        return staged + f32Bytes(d.xqFloats) + f32Bytes(d.tFloats);
      }
      const w = node.inputs[1]!.shape, y = node.outputs[0]!.shape;
      const K = w.slice(1).reduce((a, b) => a * b, 1), P = y.slice(2).reduce((a, b) => a * b, 1);
      return staged + f32Bytes(K * im2colTilePixels(K, P));
    },
    prepare(c, env) {
      const plan = planSparseConv(c, 'nm', epilogue);
      const { x, y, bias, packed, batch, cin, cout, inSize, outSize: P, lo, hi } = plan;
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = bias === undefined || b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * inSize * 4, yStep = cout * P * 4;
      const node = nodeShapesOf(c.ctx);
      const layout = nmConvLayout(node);
      if (layout === 'pointwise') {
        const { slots, S } = stageNm(c, env, packed, (col) => col * P * 4);
        const spmm = env.exports['spmmNm24'] as SpmmNm24;
        return () => {
          for (let n = 0; n < batch; n++) spmm(slots, S, xp + n * xStep, yp + n * yStep, bp, cout, P, P * 4, lo, hi);
        };
      }
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d(plan);
      if (layout === 'im2col') {
        const K = cin * KH * KW, PT = im2colTilePixels(K, P);
        // packed column (kh, kw, ci) → im2col row (ci, kh, kw)
        const { slots, S } = stageNm(c, env, packed, (col) => {
          const ci = col % cin, tap = Math.floor(col / cin);
          return (ci * KH * KW + tap) * PT * 4;
        });
        const tile = env.scratch(K * PT * 4);
        const conv = env.exports['convNmIm2col'] as ConvNmIm2col;
        return () => {
          for (let n = 0; n < batch; n++) conv(xp + n * xStep, slots, S, yp + n * yStep, bp, tile, cout, cin, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, PT, lo, hi);
        };
      }
      const { Hq, Wq, R, xqFloats, tFloats } = phasedDims(node);
      // packed column t·Cin + ci, tap t = (kh, kw): plane (ci, kh·dh mod sh, kw·dw mod sw), row ⌊kh·dh/sh⌋, column ⌊kw·dw/sw⌋
      const { slots, S } = stageNm(c, env, packed, (col) => {
        const ci = col % cin, tap = Math.floor(col / cin), kh = Math.floor(tap / KW), kw = tap % KW;
        const plane = (ci * sh + ((kh * dh) % sh)) * sw + ((kw * dw) % sw);
        return (plane * Hq * Wq + Math.floor((kh * dh) / sh) * Wq + Math.floor((kw * dw) / sw)) * 4;
      });
      // the stride phases some tap reads (bit a·sw + b; all when there are more than 31)
      let used = sh * sw > 31 ? -1 : 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) if (used !== -1) used |= 1 << (((kh * dh) % sh) * sw + ((kw * dw) % sw));
      const xq = env.scratch(xqFloats * 4), tile = env.scratch(tFloats * 4);
      const conv = env.exports['convNmPhased'] as ConvNmPhased;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, slots, S, yp + n * yStep, bp, xq, tile, cout, cin, H, W, OH, OW, sh, sw, ph, pw, Hq, Wq, R, used, lo, hi);
        }
      };
    },
  });
}

export const CONV_NM_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convNmWasm);
